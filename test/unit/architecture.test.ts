import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';

/**
 * The folders of src/core and src/ext, lowest first. A file may import from its own folder and from folders of a
 * lower rank, never from the same rank or higher: the folder graph points one way and has no loops. The order is
 * the one README.md's Architecture section draws; change both together.
 */
const CORE_LAYERS: readonly (readonly string[])[] = [
  ['common'],
  ['kube'],
  ['resources'],
  ['yaml', 'objects'],
  ['watch'],
  ['streams'],
  ['rollout', 'nodes', 'helm', 'metrics'],
  ['portforward'],
  ['apply'],
  ['agent'],
];
/** '.' is the files directly in src/ext (ids, config, log, errors, guard, registerCommands, ...). */
const EXT_LAYERS: readonly (readonly string[])[] = [
  ['.'],
  ['views'],
  ['terminals', 'documents', 'yaml', 'rollout', 'nodes', 'helm'],
  ['apply', 'portforward'],
  ['agent'],
  ['commands'],
];

function filesIn(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts'))
    .map((f) => join(dir, f));
}

/** Every (importing folder, imported folder, file) of `root` whose imports resolve inside `root`. */
function folderImports(root: string): { from: string; to: string; file: string }[] {
  const edges: { from: string; to: string; file: string }[] = [];
  for (const file of filesIn(root)) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/(?:from|import|require\()\s*'(\.[^']+)'/g)) {
      const target = normalize(join(dirname(file), m[1]!));
      const inside = relative(root, target);
      if (inside.startsWith('..')) continue;
      const folderOf = (p: string): string => (p.includes('/') ? p.split('/')[0]! : '.');
      edges.push({ from: folderOf(relative(root, file)), to: folderOf(inside), file });
    }
  }
  return edges;
}

function layerViolations(root: string, layers: readonly (readonly string[])[]): string[] {
  const rank = new Map(layers.flatMap((folders, i) => folders.map((f) => [f, i] as const)));
  const problems: string[] = [];
  for (const { from, to, file } of folderImports(root)) {
    if (from === to) continue;
    const a = rank.get(from);
    const b = rank.get(to);
    if (a === undefined) problems.push(`${file}: folder "${from}" has no place in the layer order`);
    else if (b === undefined) problems.push(`${file}: imports folder "${to}", which has no place in the layer order`);
    else if (b >= a) problems.push(`${file}: "${from}" (layer ${a}) may not import "${to}" (layer ${b})`);
  }
  return problems;
}

describe('architecture: folders point one way', () => {
  it('src/core: each folder imports only from lower layers', () => {
    assert.deepEqual(layerViolations('src/core', CORE_LAYERS), []);
  });

  it('src/ext: each folder imports only from lower layers (commands on top, the shared base at the bottom)', () => {
    assert.deepEqual(layerViolations('src/ext', EXT_LAYERS), []);
  });

  it('the check sees a planted upward import', () => {
    // The checker over a copy of the rules where kube sits above watch: the real watch → kube imports turn up.
    const swapped = [['common'], ['resources'], ['yaml', 'objects'], ['watch'], ['kube'], ...CORE_LAYERS.slice(5)];
    assert.ok(layerViolations('src/core', swapped).some((p) => p.includes('"watch" (layer 3) may not import "kube"')));
  });
});
