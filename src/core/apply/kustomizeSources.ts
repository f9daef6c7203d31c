import { dirname, join, resolve } from 'node:path';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node } from 'yaml';
import { NESTING_LIMIT, nestedDeeperThan } from '../common/yamlNesting';
import { KUSTOMIZATION_FILES } from './kustomize';
import { fieldPathAtLine, splitManifests, type ManifestDoc } from './manifestFiles';

/**
 * From an object in `kustomize build` output back to the file that declares it. Kustomize rewrites what it
 * builds (name prefixes and suffixes, namespaces, patches, generated hashes), so this is a match, not a map:
 * the built object is matched on kind and name (with the prefixes and suffixes of every kustomization between
 * it and the root stripped) to the documents of the resource files listed in the kustomization, through local
 * bases recursively; a generated ConfigMap or Secret to its generator entry; anything else to the root
 * kustomization file. Inside the matched document the line is found by field path.
 */

export interface SourceFiles {
  /** A file's text, or undefined when it is not a readable file. */
  read(path: string): string | undefined;
  isDirectory(path: string): boolean;
}

/** A document declared in a resource file (or a generator entry), as kustomize would name it in the build. */
export interface SourceObject {
  readonly kind: string;
  /** The name as written in the source. */
  readonly name: string;
  /** What the kustomizations above it add to the name: the prefixes (outermost first) and suffixes. */
  readonly prefix: string;
  readonly suffix: string;
  /** The file that declares it (absolute), and its document there (undefined for a generator entry). */
  readonly file: string;
  readonly doc?: ManifestDoc;
  /** 1-based line of the declaration (the document's start, or the generator entry's name). */
  readonly line: number;
}

export interface KustomizationIndex {
  /** The root kustomization file (absolute). */
  readonly root: string;
  readonly objects: readonly SourceObject[];
  /** Resources that could not be read (remote bases, missing files), with the kustomization line listing each. */
  readonly unresolved: readonly { file: string; line: number; entry: string }[];
  /** 1-based line of the root's `resources:` key (1 if it has none). */
  readonly resourcesLine: number;
}

const MAX_DEPTH = 10;
const REMOTE = /^(https?:\/\/|git@|ssh:\/\/|github\.com\/|gitlab\.com\/|bitbucket\.org\/)|\?ref=|\/\/.*\.git/;

function kustomizationFileIn(folder: string, files: SourceFiles): string | undefined {
  for (const name of KUSTOMIZATION_FILES) {
    const path = join(folder, name);
    if (files.read(path) !== undefined) return path;
  }
  return undefined;
}

interface Entry {
  readonly value: string;
  readonly line: number;
}

function stringEntries(node: unknown, lineAt: (offset: number) => number): Entry[] {
  if (!isSeq(node)) return [];
  return node.items.flatMap((item) =>
    isScalar(item) && typeof item.value === 'string' && item.range
      ? [{ value: item.value, line: lineAt(item.range[0]) }]
      : [],
  );
}

function valueOf(map: unknown, key: string): Node | undefined {
  if (!isMap(map)) return undefined;
  const pair = map.items.find((p) => isScalar(p.key) && p.key.value === key);
  return (pair?.value as Node | null) ?? undefined;
}

function keyLine(map: unknown, key: string, lineAt: (offset: number) => number): number | undefined {
  if (!isMap(map)) return undefined;
  const pair = map.items.find((p) => isScalar(p.key) && p.key.value === key);
  const range = (pair?.key as Node | null)?.range;
  return range ? lineAt(range[0]) : undefined;
}

/** Reads a kustomization folder and, recursively, its local bases. */
export function indexKustomization(folder: string, files: SourceFiles): KustomizationIndex {
  const objects: SourceObject[] = [];
  const unresolved: { file: string; line: number; entry: string }[] = [];
  const rootFile = kustomizationFileIn(folder, files) ?? join(folder, KUSTOMIZATION_FILES[0]!);
  let resourcesLine = 1;
  const visit = (dir: string, prefix: string, suffix: string, depth: number, seen: Set<string>): void => {
    const file = kustomizationFileIn(dir, files);
    if (!file || depth > MAX_DEPTH || seen.has(file)) return;
    seen.add(file);
    const text = files.read(file)!;
    if (nestedDeeperThan(text, NESTING_LIMIT) !== undefined) return;
    const lineCounter = new LineCounter();
    const doc = parseDocument(text, { lineCounter, prettyErrors: false });
    const lineAt = (offset: number): number => lineCounter.linePos(offset).line;
    const root = doc.contents;
    const str = (key: string): string => {
      const v = valueOf(root, key);
      return isScalar(v) && typeof v.value === 'string' ? v.value : '';
    };
    // Outer prefixes go in front of inner ones; outer suffixes after inner ones.
    const p = `${prefix}${str('namePrefix')}`;
    const s = `${str('nameSuffix')}${suffix}`;
    if (depth === 0) resourcesLine = keyLine(root, 'resources', lineAt) ?? keyLine(root, 'bases', lineAt) ?? 1;
    const entries = [
      ...stringEntries(valueOf(root, 'resources'), lineAt),
      ...stringEntries(valueOf(root, 'bases'), lineAt),
      ...stringEntries(valueOf(root, 'components'), lineAt),
    ];
    for (const entry of entries) {
      if (REMOTE.test(entry.value)) {
        unresolved.push({ file, line: entry.line, entry: entry.value });
        continue;
      }
      const path = resolve(dirname(file), entry.value);
      if (files.isDirectory(path)) {
        if (kustomizationFileIn(path, files)) visit(path, p, s, depth + 1, seen);
        else unresolved.push({ file, line: entry.line, entry: entry.value });
        continue;
      }
      const source = files.read(path);
      if (source === undefined) {
        unresolved.push({ file, line: entry.line, entry: entry.value });
        continue;
      }
      for (const d of splitManifests(source, path)) {
        const meta = d.object?.metadata as { name?: unknown } | undefined;
        if (!d.object || typeof meta?.name !== 'string') continue;
        objects.push({
          kind: String(d.object.kind),
          name: meta.name,
          prefix: p,
          suffix: s,
          file: path,
          doc: d,
          line: d.startLine,
        });
      }
    }
    for (const [key, kind] of [
      ['configMapGenerator', 'ConfigMap'],
      ['secretGenerator', 'Secret'],
    ] as const) {
      const list = valueOf(root, key);
      if (!isSeq(list)) continue;
      for (const item of list.items) {
        const name = valueOf(item, 'name');
        if (!isScalar(name) || typeof name.value !== 'string' || !name.range) continue;
        objects.push({ kind, name: name.value, prefix: p, suffix: s, file, line: lineAt(name.range[0]) });
      }
    }
  };
  visit(folder, '', '', 0, new Set());
  return { root: rootFile, objects, unresolved, resourcesLine };
}

/** Where a problem in a built object is shown. */
export interface SourceLocation {
  readonly file: string;
  /** 1-based. */
  readonly line: number;
  /** `object`: the declaring document; `generator`: a generator entry; `kustomization`: only the root is known. */
  readonly found: 'object' | 'generator' | 'kustomization';
}

const GENERATED_HASH = /-[a-z0-9]{10}$/;

function matches(o: SourceObject, kind: string, builtName: string): boolean {
  if (o.kind !== kind) return false;
  if (`${o.prefix}${o.name}${o.suffix}` === builtName) return true;
  if (!o.doc) {
    // Generators add a content hash after the suffix.
    const bare = builtName.replace(GENERATED_HASH, '');
    return `${o.prefix}${o.name}${o.suffix}` === bare;
  }
  return false;
}

/**
 * The source of a built object, and the line there of the field at `builtLine` (1-based) of the built document.
 * Exact kind and full name first; then kind and name with whatever prefix or suffix stripped (a transformer
 * may have renamed it); then the root kustomization.
 */
export function locateBuilt(
  index: KustomizationIndex,
  built: { kind: string; name: string; text: string; builtLine: number },
): SourceLocation {
  const exact = index.objects.find((o) => matches(o, built.kind, built.name));
  const loose =
    exact ??
    index.objects
      .filter((o) => o.kind === built.kind && o.doc !== undefined && o.name.length > 0 && built.name.includes(o.name))
      .sort((a, b) => b.name.length - a.name.length)[0];
  if (loose) {
    if (!loose.doc) return { file: loose.file, line: loose.line, found: 'generator' };
    const path = fieldPathAtLine(built.text, built.builtLine);
    return { file: loose.file, line: path ? loose.doc.lineOf(path) : loose.line, found: 'object' };
  }
  const first = index.unresolved.find((u) => u.file === index.root);
  return { file: index.root, line: first?.line ?? index.resourcesLine, found: 'kustomization' };
}
