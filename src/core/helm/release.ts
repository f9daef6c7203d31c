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

/** The objects a rendered manifest names, in order; documents without kind or name are skipped. */
export function manifestObjects(manifest: string, limit = 1000): ManifestObject[] {
  const out: ManifestObject[] = [];
  if (!manifest.trim()) return out;
  for (const doc of parseAllDocuments(manifest)) {
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
