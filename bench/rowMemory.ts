// Heap cost of the tree's row model, measured in a fresh process (`node --expose-gc --single-threaded-gc`: no
// concurrent sweeping, so heapUsed after gc() is settled) so that no
// garbage of other benchmarks blurs it. Input: a file with a PodList as `kubectl get pods -o json` prints it.
// Output (stdout, JSON): bytes per object as parsed objects (the floor) and as the rows the watch cache keeps.
import { readFileSync } from 'node:fs';
import { toRow, type ResourceRow } from '../src/core/resources/rows';
import type { KubeObject } from '../src/core/watch/watchedList';

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with --expose-gc');
const collect = (): number => {
  for (let i = 0; i < 3; i++) gc();
  return process.memoryUsage().heapUsed;
};

// The bytes stay outside the JS heap (a Buffer); the decoded text is garbage once parsed, so it counts in neither.
const bytes = readFileSync(process.argv[2] ?? '');
const base = collect();
let parsed: { items: KubeObject[] } | undefined = JSON.parse(bytes.toString('utf8')) as { items: KubeObject[] };
const withParsed = collect();
const count = parsed.items.length;
const rows = new Map<string, ResourceRow>();
for (const item of parsed.items) {
  const row = toRow('Pod', item);
  if (row) rows.set(row.uid, row);
}
parsed = undefined;
const withRows = collect();
process.stdout.write(
  JSON.stringify({
    count,
    fullBytesPerObject: (withParsed - base) / count,
    rowBytesPerObject: (withRows - base) / count,
    rows: rows.size,
  }),
);
