import { isMap, isScalar, isSeq, LineCounter, parseAllDocuments, type Document, type Node } from 'yaml';
import { NESTING_LIMIT, nestedDeeperThan } from '../common/yamlNesting';
import type { KubeObject } from '../resources/kubeObject';
import { pathSegmentProblem } from '../resources/objectRef';

/**
 * One document of a manifest file: where it is (file, index, lines), the object it holds, or why it cannot be
 * applied. Pure: no I/O.
 */
export interface ManifestDoc {
  /** The file as users read it (a workspace-relative path). */
  readonly source: string;
  /** 1-based position of the document in its file. */
  readonly index: number;
  /** 1-based first and last line of the document. */
  readonly startLine: number;
  readonly endLine: number;
  readonly object?: KubeObject;
  /** Why the document cannot be applied (syntax error, not a mapping, no kind...), with its line. */
  readonly error?: { message: string; line: number };
  /** Maps a field path of this document to its line (1-based). */
  lineOf(fieldPath: string): number;
}

/**
 * Splits a (multi-document) YAML text into documents with their line ranges. Documents that hold nothing (only
 * comments, or an empty document between two `---`) are left out; every other document is returned, with an
 * error when it cannot be applied, so that one bad document never hides the others.
 */
export function splitManifests(text: string, source: string): ManifestDoc[] {
  // A parser recurses once per level: a file thousands of levels deep is refused whole, before it is parsed.
  const tooDeepAt = nestedDeeperThan(text, NESTING_LIMIT);
  if (tooDeepAt !== undefined) {
    const line = text.slice(0, tooDeepAt).split('\n').length;
    const message = `the file is nested more than ${NESTING_LIMIT} levels deep around line ${line}: nothing in it is read`;
    return [{ source, index: 1, startLine: line, endLine: line, lineOf: () => line, error: { message, line } }];
  }
  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const lineAt = (offset: number): number => lineCounter.linePos(Math.max(0, Math.min(offset, text.length))).line;
  const out: ManifestDoc[] = [];
  let index = 0;
  for (const doc of Array.isArray(docs) ? docs : [docs]) {
    const [start, , end] = doc.range;
    const hasContent = doc.contents !== null && !(isScalar(doc.contents) && doc.contents.value === null);
    if (!hasContent && doc.errors.length === 0) continue;
    index++;
    const startLine = lineAt(doc.contents?.range?.[0] ?? start);
    const endLine = lineAt(Math.max(start, end - 1));
    const lineOf = (fieldPath: string): number => lineOfPath(doc, fieldPath, lineAt) ?? startLine;
    const base = { source, index, startLine, endLine, lineOf };
    if (doc.errors.length > 0) {
      const first = doc.errors[0]!;
      out.push({
        ...base,
        error: {
          message: `YAML syntax error: ${firstLine(first.message)}`,
          line: Math.min(lineAt(first.pos[0]), endLine),
        },
      });
      continue;
    }
    if (!isMap(doc.contents)) {
      out.push({
        ...base,
        error: { message: 'the document is not a mapping (an object with apiVersion and kind)', line: startLine },
      });
      continue;
    }
    let object: unknown;
    try {
      object = doc.toJS({ maxAliasCount: 100 });
    } catch (err) {
      out.push({
        ...base,
        error: { message: `cannot be read: ${err instanceof Error ? err.message : String(err)}`, line: startLine },
      });
      continue;
    }
    const problem = missingField(object as KubeObject);
    if (problem) {
      out.push({
        ...base,
        error: { message: problem.message, line: lineOf(problem.path) },
      });
      continue;
    }
    out.push({ ...base, object: object as KubeObject });
  }
  return out;
}

function firstLine(message: string): string {
  return message.split('\n')[0]!.trim();
}

/** What makes the object impossible to address (a missing or unusable field), and the field's path. */
function missingField(obj: KubeObject): { message: string; path: string } | undefined {
  const str = (v: unknown): boolean => typeof v === 'string' && v.length > 0;
  if (!str(obj.apiVersion)) return { message: 'apiVersion is missing', path: '' };
  if (!str(obj.kind)) return { message: 'kind is missing', path: '' };
  const metadata = obj.metadata as { name?: unknown; generateName?: unknown; namespace?: unknown } | undefined;
  if (!metadata || !str(metadata.name)) {
    return {
      message:
        metadata && str(metadata.generateName)
          ? 'metadata.name is missing (generateName cannot be applied; use a fixed name)'
          : 'metadata.name is missing',
      path: 'metadata',
    };
  }
  // A name becomes one segment of the object's URL: "..", "." or "a/b" would address something else.
  const nameProblem = pathSegmentProblem(metadata.name as string);
  if (nameProblem)
    return {
      message: `metadata.name ${JSON.stringify(metadata.name)} is not a valid name: ${nameProblem}`,
      path: 'metadata.name',
    };
  if (metadata.namespace !== undefined) {
    const namespaceProblem =
      typeof metadata.namespace === 'string' ? pathSegmentProblem(metadata.namespace) : 'it is not text';
    if (namespaceProblem)
      return {
        message: `metadata.namespace ${JSON.stringify(metadata.namespace)} is not a valid namespace: ${namespaceProblem}`,
        path: 'metadata.namespace',
      };
  }
  return undefined;
}

/**
 * Splits a Kubernetes field path (`spec.template.spec.containers[0].image`, `.data.key`,
 * `metadata.annotations[example.com/x]`) into keys and indexes.
 */
export function parseFieldPath(path: string): (string | number)[] {
  const out: (string | number)[] = [];
  let i = 0;
  let current = '';
  const flush = (): void => {
    if (current.length > 0) out.push(current);
    current = '';
  };
  while (i < path.length) {
    const c = path[i]!;
    if (c === '.') {
      flush();
      i++;
    } else if (c === '[') {
      flush();
      const close = path.indexOf(']', i);
      const inner = close < 0 ? path.slice(i + 1) : path.slice(i + 1, close);
      out.push(/^\d+$/.test(inner) ? Number(inner) : inner.replace(/^"|"$/g, ''));
      i = close < 0 ? path.length : close + 1;
    } else {
      current += c;
      i++;
    }
  }
  flush();
  return out;
}

/** The line of the deepest node of `fieldPath` that the document has (undefined when not even the first is). */
function lineOfPath(doc: Document, fieldPath: string, lineAt: (offset: number) => number): number | undefined {
  const segments = parseFieldPath(fieldPath);
  let node: unknown = doc.contents;
  let line: number | undefined;
  for (const segment of segments) {
    if (isMap(node)) {
      const pair = node.items.find((p) => (isScalar(p.key) ? String(p.key.value) : String(p.key)) === String(segment));
      if (!pair) break;
      const keyRange = (pair.key as Node | null)?.range;
      if (keyRange) line = lineAt(keyRange[0]);
      node = pair.value;
    } else if (isSeq(node) && typeof segment === 'number') {
      const item = node.items[segment] as Node | undefined;
      if (!item) break;
      if (item.range) line = lineAt(item.range[0]);
      node = item;
    } else {
      break;
    }
  }
  return line;
}

/** Field paths named in a server message, such as `.spec.replicas` or `spec.template.spec.containers[0].image`. */
export function fieldPathsIn(message: string): string[] {
  const found = message.match(
    /(?:^|[\s(:"])(\.?(?:metadata|spec|data|stringData|rules|subjects|roleRef|status|webhooks|type|binaryData)(?:[.[][^\s:,"()]*)?)/g,
  );
  return (found ?? []).map((m) => m.replace(/^[\s(:"]/, '').replace(/^\./, ''));
}

/**
 * The field path (`spec.template.spec.containers[0].image`) of what is written on a 1-based line of a
 * (multi-document) YAML text: the deepest key or item whose text spans that line.
 * Undefined when the line holds no field (a comment, a blank line, a document separator).
 */
export function fieldPathAtLine(text: string, line: number): string | undefined {
  if (nestedDeeperThan(text, NESTING_LIMIT) !== undefined) return undefined;
  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter, prettyErrors: false });
  const lineAt = (offset: number): number => lineCounter.linePos(Math.max(0, Math.min(offset, text.length))).line;
  for (const doc of Array.isArray(docs) ? docs : [docs]) {
    const [start, , end] = doc.range;
    if (line < lineAt(start) || line > lineAt(Math.max(start, end - 1))) continue;
    const segments: string[] = [];
    let best: string | undefined;
    const walk = (node: unknown): void => {
      if (isMap(node)) {
        for (const pair of node.items) {
          const key = pair.key as Node | null;
          const value = pair.value as Node | null;
          const from = key?.range ? lineAt(key.range[0]) : undefined;
          const to = value?.range ? lineAt(Math.max(value.range[0], value.range[1] - 1)) : from;
          if (from === undefined || to === undefined || line < from || line > to) continue;
          const name = isScalar(key) ? String(key.value) : String(key);
          segments.push(/^[A-Za-z0-9_-]+$/.test(name) ? `.${name}` : `[${name}]`);
          best = segments.join('').replace(/^\./, '');
          walk(value);
          segments.pop();
          return;
        }
      } else if (isSeq(node)) {
        node.items.forEach((item, i) => {
          const n = item as Node | null;
          if (!n?.range) return;
          if (line < lineAt(n.range[0]) || line > lineAt(Math.max(n.range[0], n.range[1] - 1))) return;
          segments.push(`[${i}]`);
          best = segments.join('').replace(/^\./, '');
          walk(n);
          segments.pop();
        });
      }
    };
    walk(doc.contents);
    return best;
  }
  return undefined;
}
