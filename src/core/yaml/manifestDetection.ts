// Which YAML documents are Kubernetes manifests. Pure: text in, per-document facts out.
import { isAlias, isCollection, isMap, isScalar, parseAllDocuments, visit, type Document, type Node } from 'yaml';
import { NESTING_LIMIT, nestedDeeperThan } from '../common/yamlNesting';
import type { Gvk } from './openapi';

export interface DocumentInfo {
  /** Position in the file (0-based), the index yaml-language-server uses for multi-document files. */
  index: number;
  /** Set when the document is a mapping with string `apiVersion` and `kind`. */
  gvk?: Gvk;
  /** The document is a mapping (or empty: only comments). */
  mapping: boolean;
  empty: boolean;
  /** Why the document is not validated (too deep, too many aliases, ...). */
  tooComplex?: string;
  /** [start, end] character offsets of the document in the file. */
  range: [number, number];
}

export type SkipReason = 'helm-template' | 'kustomize' | 'too-large';

export interface FileInfo {
  /** At least one document has apiVersion and kind and the file is not skipped. */
  manifest: boolean;
  skipped?: SkipReason;
  documents: DocumentInfo[];
}

export interface Limits {
  /** Characters; bigger files are not validated at all. */
  maxFileChars: number;
  /** Nesting depth of collections in one document. */
  maxDepth: number;
  /** Nodes of one document after expanding aliases (what a "billion laughs" file makes explode). */
  maxExpandedNodes: number;
}

export const DEFAULT_LIMITS: Limits = { maxFileChars: 2_000_000, maxDepth: NESTING_LIMIT, maxExpandedNodes: 200_000 };

/**
 * Cheap pre-check before parsing: could this text be a manifest at all? Every check on the text before its size
 * cap must be linear: `[ \t]*` never crosses a line (`\s*` at each line start did, quadratic over blank lines).
 */
export function mightBeManifest(text: string): boolean {
  return /^[ \t]*apiVersion[ \t]*:/m.test(text) && /^[ \t]*kind[ \t]*:/m.test(text);
}

/** Helm template syntax (`{{ … }}`) anywhere: the file is not YAML until rendered. Two searches, no regex. */
export function isHelmTemplate(text: string): boolean {
  const open = text.indexOf('{{');
  return open >= 0 && text.indexOf('}}', open + 2) >= 0;
}

/** API groups whose "manifests" are tool configuration, not objects for a cluster. */
const TOOL_GROUPS = ['kustomize.config.k8s.io', 'config.kubernetes.io', 'skaffold/'];

export function analyzeText(text: string, limits: Limits = DEFAULT_LIMITS): FileInfo {
  const early = precheck(text, limits);
  if (early) return early;
  const documents = analyzeDocuments(text, limits);
  return { manifest: documents.some((d) => d.gvk), documents };
}

function precheck(text: string, limits: Limits): FileInfo | undefined {
  if (!mightBeManifest(text)) return { manifest: false, documents: [] };
  if (isHelmTemplate(text)) return { manifest: false, skipped: 'helm-template', documents: [] };
  if (text.length > limits.maxFileChars) return { manifest: true, skipped: 'too-large', documents: [] };
  return undefined;
}

/**
 * analyzeText for a file being edited: the extension host runs this on every keystroke, and parsing a 1 MB
 * manifest whole takes about a second. Documents are cut at their `---` lines (a marker at the start of a line ends
 * any scalar, so the cut is the parser's own) and only those whose text changed since the last call are parsed
 * again: an edit costs one document's parse and a linear scan. Files with directives (`%`) or document-end markers
 * (`...`), where cutting is less simple, are parsed whole.
 */
export class IncrementalAnalyzer {
  private known = new Map<string, readonly DocumentInfo[]>();

  constructor(private readonly limits: Limits = DEFAULT_LIMITS) {}

  analyze(text: string): FileInfo {
    const early = precheck(text, this.limits);
    if (early) {
      this.known.clear();
      return early;
    }
    const cuts = documentCuts(text);
    if (!cuts) {
      this.known.clear();
      return analyzeText(text, this.limits);
    }
    const next = new Map<string, readonly DocumentInfo[]>();
    const documents: DocumentInfo[] = [];
    for (let i = 0; i < cuts.length - 1; i++) {
      const start = cuts[i]!;
      const segment = text.slice(start, cuts[i + 1]);
      const found = next.get(segment) ?? this.known.get(segment) ?? analyzeDocuments(detached(segment), this.limits);
      next.set(segment, found);
      for (const d of found) {
        documents.push({ ...d, index: documents.length, range: [d.range[0] + start, d.range[1] + start] });
      }
    }
    this.known = next;
    return { manifest: documents.some((d) => d.gvk), documents };
  }
}

/**
 * A copy of `text` that shares no memory with the string it was cut from. A V8 substring keeps its whole parent
 * alive, and a parse keeps substrings of what it parsed: a document's parse kept for later versions would keep
 * the whole file of the version it was made in, one file per version over a long edit.
 */
export function detached(text: string): string {
  return Buffer.from(text, 'utf8').toString('utf8');
}

/**
 * Offsets where documents start (a `---` line), and the end; undefined when the file needs the full parser. Also
 * used by the language server's incremental parse (src/server/incrementalParse.ts).
 */
export function documentCuts(text: string): number[] | undefined {
  if (/^(%|\.\.\.(\s|$))/m.test(text)) return undefined;
  const cuts = [0];
  const marker = /^---(?=\s|$)/gm;
  for (let m = marker.exec(text); m; m = marker.exec(text)) if (m.index > 0) cuts.push(m.index);
  cuts.push(text.length);
  return cuts;
}

function analyzeDocuments(text: string, limits: Limits): DocumentInfo[] {
  // Parsers recurse once per level: a document thousands of levels deep would overflow the stack. It is refused
  // before any parser sees it (a linear scan), and anything else a parser throws makes it unreadable, not a crash.
  const tooDeepAt = nestedDeeperThan(text, limits.maxDepth);
  if (tooDeepAt !== undefined) return [unreadable(text, `it is nested more than ${limits.maxDepth} levels deep`)];
  let docs: Document.Parsed[];
  try {
    docs = parseAllDocuments(text, { prettyErrors: false, uniqueKeys: false }) as Document.Parsed[];
  } catch (err) {
    return [unreadable(text, `it could not be read: ${err instanceof Error ? err.message : String(err)}`)];
  }
  const list = Array.isArray(docs) ? docs : [];
  const documents: DocumentInfo[] = [];
  list.forEach((doc, index) => {
    const contents = doc.contents;
    const range: [number, number] = [doc.range[0], doc.range[2]];
    const info: DocumentInfo = { index, mapping: false, empty: contents === null || contents === undefined, range };
    if (isMap(contents)) {
      info.mapping = true;
      const apiVersion: unknown = contents.get('apiVersion', true);
      const kind: unknown = contents.get('kind', true);
      const av = isScalar(apiVersion) ? apiVersion.value : undefined;
      const k = isScalar(kind) ? kind.value : undefined;
      if (typeof av === 'string' && typeof k === 'string') {
        const gvk: Gvk = { apiVersion: av, kind: k };
        if (!TOOL_GROUPS.some((g) => gvk.apiVersion.startsWith(g))) info.gvk = gvk;
      }
      // A strategic-merge patch written for kustomize.
      if (contents.items.some((p) => isScalar(p.key) && p.key.value === '$patch')) info.gvk = undefined;
    } else if (isScalar(contents) && (contents.value === null || contents.value === '')) {
      info.empty = true;
    }
    if (contents) info.tooComplex = complexity(doc, contents as Node, limits);
    documents.push(info);
  });
  return documents;
}

/** A document no parser is given: what it says it is (read line by line), and why it is not validated. */
function unreadable(text: string, why: string): DocumentInfo {
  const apiVersion = /^apiVersion:[ \t]*["']?([^\s"'#]+)/m.exec(text)?.[1];
  const kind = /^kind:[ \t]*["']?([^\s"'#]+)/m.exec(text)?.[1];
  return {
    index: 0,
    mapping: true,
    empty: false,
    range: [0, text.length],
    gvk: apiVersion && kind ? { apiVersion, kind } : undefined,
    tooComplex: why,
  };
}

/** Why a document is too complex to hand to the language server, or undefined. */
function complexity(doc: Document.Parsed, root: Node, limits: Limits): string | undefined {
  let maxDepth = 0;
  let aliases = 0;
  visit(root, {
    Collection(_key, _node, path) {
      const depth = path.filter((p) => isCollection(p)).length + 1;
      if (depth > maxDepth) maxDepth = depth;
      if (depth > limits.maxDepth) return visit.BREAK;
      return undefined;
    },
    Alias() {
      aliases++;
    },
  });
  if (maxDepth > limits.maxDepth) return `it is nested more than ${limits.maxDepth} levels deep`;
  if (aliases === 0) return undefined;
  // Size after expanding aliases, memoised per anchored node: linear in the document, exact for "laughs" files.
  const memo = new Map<unknown, number>();
  const size = (node: unknown, depth: number): number => {
    if (depth > limits.maxDepth) return limits.maxExpandedNodes + 1;
    if (isAlias(node)) {
      const target = node.resolve(doc);
      return target ? size(target, depth + 1) : 1;
    }
    const cached = memo.get(node);
    if (cached !== undefined) return cached;
    let n = 1;
    if (isCollection(node)) {
      for (const item of node.items as unknown[]) {
        if (item && typeof item === 'object' && 'key' in item) {
          const pair = item as { key: unknown; value: unknown };
          n += size(pair.key, depth + 1) + size(pair.value, depth + 1);
        } else n += size(item, depth + 1);
        if (n > limits.maxExpandedNodes) break;
      }
    }
    n = Math.min(n, limits.maxExpandedNodes + 1);
    memo.set(node, n);
    return n;
  };
  if (size(root, 0) > limits.maxExpandedNodes)
    return `its aliases expand to more than ${limits.maxExpandedNodes.toLocaleString('en-US')} nodes`;
  return undefined;
}

/**
 * Does a kustomization file name `fileName` as a patch? Then that file holds partial objects and is left alone.
 */
export function kustomizationPatches(kustomizationText: string, fileName: string): boolean {
  const keys = /^(patches|patchesStrategicMerge|patchesJson6902)[ \t]*:/m;
  if (!keys.test(kustomizationText)) return false;
  const escaped = fileName.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(^|[\\s/'"])${escaped}[ \\t]*['"]?[ \\t\\r]*$`, 'm').test(kustomizationText);
}
