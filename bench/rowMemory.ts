// Heap cost of the tree's row model, measured in a fresh process (`node --expose-gc --single-threaded-gc`: no
// concurrent sweeping) so that no garbage of other benchmarks blurs it.
// Input: a file with a PodList exactly as the API server sends it (compact JSON, managedFields included: what the
// watch cache parses; kubectl's output drops managedFields and so understates the objects).
// Output (stdout, JSON): bytes per object as parsed objects (the floor) and as the rows the watch cache keeps.
//
// Each figure is (heap holding only that structure) - (heap holding nothing), both read once two full collections in
// a row agree: a single gc() right after a big JSON.parse leaves tens of MB uncollected, which made earlier runs of
// this benchmark swing between 0.4 and 2.7 KB per row.
import { readFileSync } from 'node:fs';
import { toRow, type ResourceRow } from '../src/core/resources/rows';
import type { KubeObject } from '../src/core/resources/kubeObject';

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with --expose-gc');

async function settledHeap(): Promise<number> {
  let previous = Number.NaN;
  for (let i = 0; i < 10; i++) {
    // Back to the event loop between collections: without it, V8 kept the parsed list alive through the whole
    // synchronous sequence (the heap never dropped), whatever the references.
    await new Promise((resolve) => setImmediate(resolve));
    gc!();
    const used = process.memoryUsage().heapUsed;
    if (Math.abs(used - previous) < 64 * 1024) return used;
    previous = used;
  }
  return previous;
}

// Built in a function so no iterator or temporary of the loop outlives it at module scope.
function rowsOf(items: readonly KubeObject[]): Map<string, ResourceRow> {
  const rows = new Map<string, ResourceRow>();
  for (const item of items) {
    const row = toRow('Pod', item);
    if (row) rows.set(row.uid, row);
  }
  return rows;
}

async function main(): Promise<void> {
  const bytes = readFileSync(process.argv[2] ?? '');
  const held: { parsed?: { items: KubeObject[] }; rows?: Map<string, ResourceRow> } = {};
  held.parsed = JSON.parse(bytes.toString('utf8')) as { items: KubeObject[] };
  const count = held.parsed.items.length;
  const withParsed = await settledHeap();
  held.rows = rowsOf(held.parsed.items);
  held.parsed = undefined;
  const withRows = await settledHeap();
  const rowCount = held.rows.size;
  held.rows = undefined;
  const empty = await settledHeap();
  process.stdout.write(
    JSON.stringify({
      count,
      fullBytesPerObject: (withParsed - empty) / count,
      rowBytesPerObject: (withRows - empty) / count,
      rows: rowCount,
    }),
  );
}

void main();
