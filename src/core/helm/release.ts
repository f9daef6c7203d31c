import { gunzipSync } from 'node:zlib';
import { parseAllDocuments } from 'yaml';
import type { KubeObject } from '../resources/kubeObject';
import type { Row } from '../resources/rows';

/**
 * Helm 3 release storage, read without the helm binary. Helm keeps one record per revision of a release: a
 * Secret of type `helm.sh/release.v1` (the default driver) or a ConfigMap (`HELM_DRIVER=configmap`), named
 * `sh.helm.release.v1.<release>.v<revision>` and labelled `owner=helm`, `name`, `version`, `status`. Its
 * `data.release` is what helm's `encodeRelease` (pkg/storage/driver/util.go) writes: the release as JSON, gzipped
 * (best compression), base64-encoded. A Secret's data is base64-encoded once more by the API, a ConfigMap's is not.
 * `decodeRelease` decompresses only when the gzip magic bytes are there (releases stored before compression).
 * Pure: no I/O, no `vscode`.
 */

export type StorageKind = 'secret' | 'configmap';

/** The label selector of every record helm writes. */
export const HELM_OWNER_SELECTOR = 'owner=helm';
export const HELM_SECRET_TYPE = 'helm.sh/release.v1';

/** The largest encoded `data.release` read (characters): far above etcd's 1.5 MB object limit. */
export const MAX_ENCODED_CHARS = 16 * 2 ** 20;
/** The largest release JSON decompressed (bytes): a gzip bomb stops here, with an error naming its record. */
export const MAX_RELEASE_BYTES = 64 * 2 ** 20;

const GZIP_MAGIC = [0x1f, 0x8b, 0x08];

/** A record that is not a readable release: which object, and what is wrong with it. */
export class HelmStorageError extends Error {
  constructor(
    readonly record: string,
    readonly problem: string,
  ) {
    super(`Helm release record ${record} cannot be read: ${problem}`);
    this.name = 'HelmStorageError';
  }
}

/** One object of a release's rendered manifest, as the manifest names it. */
export interface ManifestObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: string;
  /** As written in the manifest; helm puts objects without one in the release's namespace. */
  readonly namespace?: string;
}

/** One revision of a release, decoded. */
export interface HelmRelease {
  readonly name: string;
  readonly namespace: string;
  readonly revision: number;
  readonly status: string;
  readonly chartName: string;
  readonly chartVersion: string;
  readonly appVersion: string;
  /** `info.last_deployed` (RFC 3339), '' when absent. */
  readonly updated: string;
  readonly firstDeployed: string;
  readonly description: string;
  /** The user-supplied values (`helm get values`), `{}` when none. */
  readonly values: Readonly<Record<string, unknown>>;
  /** The chart's default values. */
  readonly chartValues: Readonly<Record<string, unknown>>;
  readonly manifest: string;
  readonly notes: string;
}

function asRecord(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function str(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

function base64(text: string, record: string, what: string): Buffer {
  const clean = text.replace(/\s+/g, '');
  if (clean.length % 4 !== 0 || !BASE64.test(clean)) throw new HelmStorageError(record, `${what} is not base64`);
  return Buffer.from(clean, 'base64');
}

/**
 * helm's `decodeRelease`: base64 (standard alphabet), gunzip when the gzip magic is there, JSON. `encoded` is the
 * string helm stored: a ConfigMap's `data.release`, or a Secret's `data.release` after the API's own base64.
 */
export function decodeReleasePayload(encoded: string, record: string, maxBytes = MAX_RELEASE_BYTES): unknown {
  if (encoded.length > MAX_ENCODED_CHARS)
    throw new HelmStorageError(record, `data.release is ${encoded.length} characters (more than ${MAX_ENCODED_CHARS})`);
  let bytes = base64(encoded, record, 'data.release');
  if (bytes.length > 3 && GZIP_MAGIC.every((b, i) => bytes[i] === b)) {
    try {
      bytes = gunzipSync(bytes, { maxOutputLength: maxBytes });
    } catch (err) {
      const code = (err as { code?: string }).code;
      throw new HelmStorageError(
        record,
        code === 'ERR_BUFFER_TOO_LARGE'
          ? `the release decompresses to more than ${Math.round(maxBytes / 2 ** 20)} MiB`
          : `the gzip data is broken (${(err as Error).message})`,
      );
    }
  } else if (bytes.length > maxBytes) {
    throw new HelmStorageError(record, `the release is larger than ${Math.round(maxBytes / 2 ** 20)} MiB`);
  }
  try {
    return JSON.parse(bytes.toString('utf8')) as unknown;
  } catch {
    throw new HelmStorageError(record, 'the release is not JSON');
  }
}

/** The string helm stored in a record (a Secret's data is base64 once more). */
export function storedPayload(obj: KubeObject, storage: StorageKind): string {
  const record = recordName(obj, storage);
  const data = asRecord((obj as { data?: unknown }).data);
  const value = data.release;
  if (typeof value !== 'string') throw new HelmStorageError(record, 'it has no data.release');
  if (storage === 'configmap') return value;
  if (value.length > MAX_ENCODED_CHARS * 2)
    throw new HelmStorageError(record, `data.release is ${value.length} characters`);
  return base64(value, record, "the Secret's data.release").toString('latin1');
}

export function recordName(obj: KubeObject, storage: StorageKind): string {
  const meta = obj.metadata;
  return `${storage === 'secret' ? 'Secret' : 'ConfigMap'} ${meta?.namespace ?? ''}/${meta?.name ?? '?'}`;
}

/** A decoded release JSON as our model; the labels of its record fill in what the JSON lacks. */
export function toRelease(json: unknown, record: string, labels: Readonly<Record<string, string>> = {}): HelmRelease {
  const rls = asRecord(json);
  if (Object.keys(rls).length === 0) throw new HelmStorageError(record, 'the release JSON is not an object');
  const info = asRecord(rls.info);
  const chart = asRecord(rls.chart);
  const meta = asRecord(chart.metadata);
  const revision =
    typeof rls.version === 'number' && Number.isInteger(rls.version) ? rls.version : Number(labels.version ?? NaN);
  const name = str(rls.name) || (labels.name ?? '');
  if (!name) throw new HelmStorageError(record, 'the release has no name');
  if (!Number.isInteger(revision) || revision < 1)
    throw new HelmStorageError(record, 'the release has no revision number');
  return {
    name,
    namespace: str(rls.namespace),
    revision,
    status: str(info.status) || (labels.status ?? 'unknown'),
    chartName: str(meta.name),
    chartVersion: str(meta.version),
    appVersion: str(meta.appVersion),
    updated: str(info.last_deployed),
    firstDeployed: str(info.first_deployed),
    description: str(info.description),
    values: asRecord(rls.config),
    chartValues: asRecord(chart.values),
    manifest: str(rls.manifest),
    notes: str(info.notes),
  };
}

/** A storage record (Secret or ConfigMap) decoded to its release; throws HelmStorageError naming the record. */
export function decodeRecord(obj: KubeObject, storage: StorageKind, maxBytes = MAX_RELEASE_BYTES): HelmRelease {
  const record = recordName(obj, storage);
  const labels = labelsOf(obj);
  const release = toRelease(decodeReleasePayload(storedPayload(obj, storage), record, maxBytes), record, labels);
  return release.namespace ? release : { ...release, namespace: obj.metadata?.namespace ?? '' };
}

function labelsOf(obj: KubeObject): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(asRecord(obj.metadata?.labels))) if (typeof v === 'string') out[k] = v;
  return out;
}

/**
 * The objects a rendered manifest names, in order; documents without kind or name are skipped. Every record the
 * tree lists is read this way, so the usual shape (block mappings, `apiVersion`, `kind` and `metadata.name` as
 * plain or simply quoted scalars, which is how helm renders) is read by a line scan; a document with anything
 * else on those lines (flow style, anchors, tags, escapes, multi-line values, merge keys, tabs, directives) is
 * parsed with the YAML parser, as all of them were before (a tenth of the time for helm's shape).
 */
export function manifestObjects(manifest: string, limit = 1000): ManifestObject[] {
  const out: ManifestObject[] = [];
  if (!manifest.trim()) return out;
  const docs = splitYamlDocuments(manifest);
  if (!docs) return parsedObjects(manifest, limit);
  for (const doc of docs) {
    if (out.length >= limit) break;
    const quick = scannedObject(doc);
    if (quick === null) continue;
    if (quick) out.push(quick);
    else out.push(...parsedObjects(doc, 1));
  }
  return out;
}

/** The YAML parser's way, for what the scan leaves alone. */
function parsedObjects(text: string, limit: number): ManifestObject[] {
  const out: ManifestObject[] = [];
  for (const doc of parseAllDocuments(text)) {
    if (out.length >= limit) break;
    if (doc.errors.length > 0) continue;
    const value = asRecord(doc.toJS({ maxAliasCount: 100 }) as unknown);
    const metadata = asRecord(value.metadata);
    const kind = str(value.kind);
    const name = str(metadata.name);
    if (!kind || !name) continue;
    const namespace = str(metadata.namespace) || undefined;
    out.push({ apiVersion: str(value.apiVersion), kind, name, ...(namespace ? { namespace } : {}) });
  }
  return out;
}

/** The documents of a stream split at `---` lines; undefined when a marker line carries more (a tag, content). */
function splitYamlDocuments(text: string): string[] | undefined {
  const docs: string[] = [];
  let current: string[] = [];
  for (const line of text.split('\n')) {
    const bare = line.replace(/\r$/, '');
    if (bare.startsWith('%')) return undefined;
    if (bare.startsWith('---') || bare.startsWith('...')) {
      if (bare.slice(3).trim() !== '' && !bare.slice(3).trim().startsWith('#')) return undefined;
      docs.push(current.join('\n'));
      current = [];
      continue;
    }
    current.push(bare);
  }
  docs.push(current.join('\n'));
  return docs;
}

const SIMPLE_KEY = /^([A-Za-z_][A-Za-z0-9_./-]*):(?:[ ]+(.*))?$/;
const YAML_NOT_TEXT =
  /^(?:true|false|True|False|TRUE|FALSE|null|Null|NULL|~|[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|0x[0-9a-fA-F]+|0o[0-7]+|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/;

/** A scalar written simply: `web`, `"web"`, `'web'`, with an optional comment; undefined for anything else. */
function simpleScalar(raw: string): string | undefined {
  const text = raw.trim();
  let m = /^"([^"\\]*)"\s*(?:#.*)?$/.exec(text);
  if (m) return m[1];
  m = /^'([^']*)'\s*(?:#.*)?$/.exec(text);
  if (m) return m[1];
  const plain = text.replace(/\s+#.*$/, '');
  if (!/^[A-Za-z0-9][A-Za-z0-9._/-]*$/.test(plain) || YAML_NOT_TEXT.test(plain)) return undefined;
  return plain;
}

/**
 * A value that may go on over lines the scan would misread (a quoted or flow value not closed on its line): true
 * when the scan must leave the document to the parser.
 */
function mayContinue(value: string): boolean {
  const v = value.trim().replace(/\s+#.*$/, '');
  if (!/^["'{[]/.test(v)) return false;
  if (simpleScalar(v) !== undefined) return false;
  return !((v.startsWith('{') && v.endsWith('}')) || (v.startsWith('[') && v.endsWith(']')));
}

function isBlankOrComment(line: string): boolean {
  const t = line.trim();
  return t === '' || t.startsWith('#');
}

/**
 * One document by a line scan: the object, null when it names none (empty, or no kind or name), undefined when the
 * scan cannot be sure (the parser decides).
 */
function scannedObject(doc: string): ManifestObject | null | undefined {
  const lines = doc.split('\n');
  const top: Record<string, string> = {};
  const meta: Record<string, string> = {};
  const seen = new Set<string>();
  let sawContent = false;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (isBlankOrComment(line)) continue;
    if (/^\s*\t|^\t/.test(line)) return undefined;
    if (line.startsWith(' ')) {
      // Indented lines belong to the key above; only metadata's are read, in its own loop below.
      continue;
    }
    sawContent = true;
    const m = SIMPLE_KEY.exec(line);
    if (!m) return undefined;
    const key = m[1]!;
    if (seen.has(key)) return undefined;
    seen.add(key);
    const value = m[2] ?? '';
    if (mayContinue(value)) return undefined;
    const nextContent = lines.slice(i + 1).find((l) => !isBlankOrComment(l));
    if (key === 'apiVersion' || key === 'kind') {
      const scalar = simpleScalar(value);
      // A value that goes on over indented lines is a multi-line scalar: the parser reads it.
      if (scalar === undefined || nextContent?.startsWith(' ')) return undefined;
      top[key] = scalar;
    } else if (key === 'metadata') {
      if (value.trim() !== '' && !value.trim().startsWith('#')) return undefined;
      let indent: number | undefined;
      const metaSeen = new Set<string>();
      for (let j = i + 1; j < lines.length; j++) {
        const child = lines[j]!;
        if (isBlankOrComment(child)) continue;
        if (!child.startsWith(' ')) break;
        if (child.includes('\t')) return undefined;
        const width = child.length - child.trimStart().length;
        indent ??= width;
        if (width < indent) return undefined;
        if (width > indent) continue;
        const c = SIMPLE_KEY.exec(child.slice(width));
        if (!c) return undefined;
        const childKey = c[1]!;
        if (metaSeen.has(childKey) || mayContinue(c[2] ?? '')) return undefined;
        metaSeen.add(childKey);
        if (childKey === 'name' || childKey === 'namespace') {
          const scalar = simpleScalar(c[2] ?? '');
          const after = lines.slice(j + 1).find((l) => !isBlankOrComment(l));
          if (scalar === undefined) return undefined;
          if (after && after.length - after.trimStart().length > width) return undefined;
          meta[childKey] = scalar;
        }
      }
    }
  }
  if (!sawContent) return null;
  const kind = top.kind ?? '';
  const name = meta.name ?? '';
  if (!kind || !name) return null;
  return { apiVersion: top.apiVersion ?? '', kind, name, ...(meta.namespace ? { namespace: meta.namespace } : {}) };
}

/** What the tree keeps of one record: a small row, decoded once when the watch delivers it. */
export interface HelmRecordRow extends Row {
  /** The record's own name (`sh.helm.release.v1.web.v2`) is `name`; the release's is `release`. */
  readonly release: string;
  readonly revision: number;
  readonly storage: StorageKind;
  readonly status: string;
  readonly chartName: string;
  readonly chartVersion: string;
  readonly appVersion: string;
  readonly updated: string;
  readonly description: string;
  readonly objects: readonly ManifestObject[];
  /** Set when the record cannot be decoded: what is wrong, naming the record. The other fields come from labels. */
  readonly error?: string;
}

/**
 * Projects a record as the watch delivers it. A record that cannot be decoded still gives a row (from its labels)
 * with `error` set: one broken release is shown as broken, the others as they are. Objects that are not helm
 * records (a Secret of another type that happens to carry owner=helm) give no row.
 */
export function toRecordRow(obj: KubeObject, storage: StorageKind): HelmRecordRow | undefined {
  const meta = obj.metadata;
  if (!meta?.uid || !meta.name) return undefined;
  if (storage === 'secret' && (obj as { type?: unknown }).type !== HELM_SECRET_TYPE) return undefined;
  const labels = labelsOf(obj);
  const base = {
    uid: meta.uid,
    name: meta.name,
    namespace: meta.namespace,
    storage,
  };
  try {
    const rls = decodeRecord(obj, storage);
    let objects: ManifestObject[] = [];
    try {
      objects = manifestObjects(rls.manifest);
    } catch {
      objects = [];
    }
    return {
      ...base,
      release: rls.name,
      revision: rls.revision,
      status: rls.status,
      chartName: rls.chartName,
      chartVersion: rls.chartVersion,
      appVersion: rls.appVersion,
      updated: rls.updated,
      description: rls.description,
      objects,
    };
  } catch (err) {
    const revision = Number(labels.version);
    return {
      ...base,
      release: labels.name ?? meta.name,
      revision: Number.isInteger(revision) ? revision : 0,
      status: labels.status ?? 'unknown',
      chartName: '',
      chartVersion: '',
      appVersion: '',
      updated: '',
      description: '',
      objects: [],
      error: err instanceof HelmStorageError ? err.message : `${recordName(obj, storage)}: ${String(err)}`,
    };
  }
}

/** One release as the tree shows it: its latest revision's record, and how many revisions are stored. */
export interface ReleaseSummary {
  readonly latest: HelmRecordRow;
  readonly revisions: number;
}

/**
 * The latest revision of each release (by namespace and name), sorted by namespace then name. Helm's "latest" is
 * the highest revision number, whatever its status.
 */
export function latestReleases(rows: Iterable<HelmRecordRow>): ReleaseSummary[] {
  const byRelease = new Map<string, { latest: HelmRecordRow; revisions: number }>();
  for (const row of rows) {
    const key = `${row.namespace ?? ''}/${row.release}`;
    const seen = byRelease.get(key);
    if (!seen) byRelease.set(key, { latest: row, revisions: 1 });
    else {
      seen.revisions += 1;
      if (row.revision > seen.latest.revision) seen.latest = row;
    }
  }
  return [...byRelease.values()].sort(
    (a, b) =>
      (a.latest.namespace ?? '').localeCompare(b.latest.namespace ?? '') ||
      a.latest.release.localeCompare(b.latest.release),
  );
}

/** `web-1.2.0`: helm list's CHART column. */
export function chartLabel(row: Pick<HelmRecordRow, 'chartName' | 'chartVersion'>): string {
  return row.chartVersion ? `${row.chartName}-${row.chartVersion}` : row.chartName;
}

/** The name helm gives a revision's record. */
export function recordNameOf(release: string, revision: number): string {
  return `sh.helm.release.v1.${release}.v${revision}`;
}
