// Where a document's schema comes from, in order of preference: the cluster's own /openapi/v3, CRD manifests of
// the workspace, the schema bundled with the extension. No I/O beyond what the injected functions do, plus the
// on-disk cache of converted cluster schemas (node:fs only).
import { createHash } from 'node:crypto';
import { chmod, mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FileInfo } from './manifestDetection';
import { convertOpenApi, gvkKey, kindSchema, openApiPath, type Gvk, type JsonSchema, type SchemaSet } from './openapi';

export const SCHEME = 'kubewb-schema';

export type SourceKind = 'cluster' | 'workspace' | 'bundled';

/** The answer for one document. */
export type Lookup =
  | { found: true; uri: string; source: SourceKind; label: string }
  | { found: false; message: string };

/** The bundled schema file: media/schemas/kubernetes.json.gz. */
export interface BundledSchemas extends SchemaSet {
  /** Kubernetes version it was generated from, e.g. v1.36. */
  version: string;
}

export interface ClusterFetcher {
  /** Context name (for messages). */
  readonly context: string;
  /** Server URL: part of the cache key. */
  readonly server: string;
  getJson(path: string): Promise<unknown>;
}

/** "v1.36" from /version; a build without a real gitVersion (v0.0.0-master) is named by major.minor. */
export function serverVersion(version: { gitVersion?: string; major?: string; minor?: string }): string {
  const git = version.gitVersion ?? '';
  if (/^v\d+\.\d+\.\d+/.test(git) && !git.startsWith('v0.0.0')) return git.replace(/[^A-Za-z0-9.+-]/g, '');
  const minor = (version.minor ?? '').replace(/\D/g, '');
  return `v${(version.major ?? '0').replace(/\D/g, '')}.${minor || '0'}`;
}

const INDEX_TTL_MS = 30_000;

/**
 * One cluster's schemas. The /openapi/v3 index names every group-version with a content hash; a converted
 * group-version is cached on disk under that hash, so a changed CRD (new hash) is fetched again, and an unchanged
 * cluster costs one small request per 30 s.
 */
export class ClusterSchemas {
  private index: { at: number; paths: Record<string, string>; version: string } | undefined;
  private indexPromise: Promise<{ paths: Record<string, string>; version: string }> | undefined;
  /** The last failure, repeated for a while so an unreachable cluster is not asked on every keystroke. */
  private failure: { at: number; error: unknown } | undefined;
  private readonly sets = new Map<string, Promise<SchemaSet>>();

  constructor(
    private readonly fetcher: ClusterFetcher,
    private readonly cacheDir: string | undefined,
    private readonly now: () => number = Date.now,
  ) {}

  get context(): string {
    return this.fetcher.context;
  }

  /** Forget the index (and a remembered failure): the next lookup asks the cluster again. */
  refresh(): void {
    this.index = undefined;
    this.failure = undefined;
  }

  /** The server version once known. */
  get version(): string | undefined {
    return this.index?.version;
  }

  private async loadIndex(): Promise<{ paths: Record<string, string>; version: string }> {
    if (this.index && this.now() - this.index.at < INDEX_TTL_MS) return this.index;
    if (this.failure && this.now() - this.failure.at < INDEX_TTL_MS) throw this.failure.error;
    if (!this.indexPromise) {
      this.indexPromise = (async () => {
        const [idx, ver] = await Promise.all([
          this.fetcher.getJson('/openapi/v3') as Promise<{ paths?: Record<string, { serverRelativeURL?: string }> }>,
          this.fetcher.getJson('/version') as Promise<{ gitVersion?: string; major?: string; minor?: string }>,
        ]);
        const paths: Record<string, string> = {};
        for (const [p, v] of Object.entries(idx.paths ?? {})) if (v?.serverRelativeURL) paths[p] = v.serverRelativeURL;
        this.index = { at: this.now(), paths, version: serverVersion(ver) };
        this.failure = undefined;
        return this.index;
      })()
        .catch((error: unknown) => {
          this.failure = { at: this.now(), error };
          throw error;
        })
        .finally(() => {
          this.indexPromise = undefined;
        });
    }
    return this.indexPromise;
  }

  /** Converted schemas of a group-version at the index's current hash; undefined when the cluster has no such gv. */
  async groupVersion(apiVersion: string): Promise<{ set: SchemaSet; hash: string } | undefined> {
    const index = await this.loadIndex();
    const url = index.paths[openApiPath(apiVersion)];
    if (!url) return undefined;
    const hash = createHash('sha256').update(url).digest('hex').slice(0, 16);
    let set = this.sets.get(hash);
    if (!set) {
      set = this.fetchSet(url, hash, index.version);
      this.sets.set(hash, set);
      set.catch(() => this.sets.delete(hash));
    }
    return { set: await set, hash };
  }

  /**
   * `<cache>/<server hash>/<converter>-<server version>/<group-version hash>.json`. The converter's version is in the
   * path so a set converted by older code (before descriptions were made safe, say) is never read again.
   */
  private cacheFile(hash: string, version: string): string | undefined {
    if (!this.cacheDir) return undefined;
    return join(this.serverCacheDir()!, `${CONVERTER_VERSION}-${version}`, `${hash}.json`);
  }

  private serverCacheDir(): string | undefined {
    if (!this.cacheDir) return undefined;
    return join(this.cacheDir, createHash('sha256').update(this.fetcher.server).digest('hex').slice(0, 16));
  }

  private async fetchSet(url: string, hash: string, version: string): Promise<SchemaSet> {
    const file = this.cacheFile(hash, version);
    if (file) {
      try {
        return JSON.parse(await readFile(file, 'utf8')) as SchemaSet;
      } catch {
        // not cached yet (or unreadable): fetch
      }
    }
    const doc = await this.fetcher.getJson(url);
    let set: SchemaSet;
    try {
      set = convertOpenApi(doc);
    } catch (err) {
      throw new BrokenSchemaError(`${url.replace(/\?.*$/, '')}: ${err instanceof Error ? err.message : String(err)}`);
    }
    if (file) {
      try {
        await writePrivately(this.cacheDir!, file, JSON.stringify(set));
        await trimVersions(this.serverCacheDir()!, join(file, '..'));
      } catch {
        // a cache we cannot write is only slower
      }
    }
    return set;
  }
}

/** Bumped when convertOpenApi's output changes: sets cached by an older converter are not read. */
const CONVERTER_VERSION = 'c2';
/** Server versions kept in the cache per server; older ones are removed when a new one is written. */
const KEPT_VERSIONS = 3;

/**
 * Writes `file` readable by the user only (folders 0700, files 0600, whatever the umask or what an older version
 * left): schemas name a cluster's kinds and CRDs, which is nobody else's business on a shared machine.
 */
async function writePrivately(root: string, file: string, text: string): Promise<void> {
  await mkdir(join(file, '..'), { recursive: true, mode: 0o700 });
  for (let dir = join(file, '..'); dir.startsWith(root); dir = join(dir, '..')) {
    await chmod(dir, 0o700);
    if (dir === root) break;
  }
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, text, { mode: 0o600 });
  await rename(tmp, file);
}

/** Keeps the newest KEPT_VERSIONS version folders of a server (by modification time), `current` among them. */
async function trimVersions(serverDir: string, current: string): Promise<void> {
  const entries = await readdir(serverDir, { withFileTypes: true });
  const folders = await Promise.all(
    entries
      .filter((e) => e.isDirectory())
      .map(async (e) => ({ path: join(serverDir, e.name), mtime: (await stat(join(serverDir, e.name))).mtimeMs })),
  );
  const old = folders
    .filter((f) => f.path !== current)
    .sort((a, b) => b.mtime - a.mtime)
    .slice(KEPT_VERSIONS - 1);
  for (const f of old) await rm(f.path, { recursive: true, force: true });
}

/** The cluster answered, but with an OpenAPI document we cannot use. */
export class BrokenSchemaError extends Error {}

/** Registry of schema documents served to the language server under kubewb-schema:// URIs. */
export class SchemaDocuments {
  private readonly docs = new Map<string, () => JsonSchema>();

  put(uri: string, make: () => JsonSchema): string {
    if (!this.docs.has(uri)) this.docs.set(uri, make);
    return uri;
  }

  /** JSON text for a URI, or undefined when we never handed it out. */
  content(uri: string): string | undefined {
    const make = this.docs.get(uri) ?? this.docs.get(decodeURIComponent(uri));
    return make ? JSON.stringify(make()) : undefined;
  }
}

/** A URI-safe path segment. */
export function seg(s: string): string {
  return encodeURIComponent(s).replace(/%/g, '_');
}

export interface ResolveOptions {
  cluster?: ClusterSchemas;
  /** Why the cluster is not used (e.g. unreachable), for the label of the fallback. */
  clusterProblem?: string;
  workspace?: () => Promise<SchemaSet>;
  bundled?: () => BundledSchemas | undefined;
}

/** Looks up a kind's schema: cluster, then workspace CRDs, then bundled. */
export async function resolveKind(gvk: Gvk, docs: SchemaDocuments, opts: ResolveOptions): Promise<Lookup> {
  const key = gvkKey(gvk);
  let clusterMiss: string | undefined;
  let clusterProblem = opts.clusterProblem;
  if (opts.cluster) {
    const cluster = opts.cluster;
    try {
      const gv = await cluster.groupVersion(gvk.apiVersion);
      const def = gv?.set.kinds[key];
      if (gv && def) {
        const uri = `${SCHEME}://cluster/${seg(cluster.context)}/${gv.hash}/${seg(gvk.apiVersion)}/${seg(gvk.kind)}.json`;
        const set = gv.set;
        docs.put(uri, () => kindSchema(set, def) ?? {});
        return { found: true, uri, source: 'cluster', label: `cluster ${cluster.context} (${cluster.version ?? '?'})` };
      }
      clusterMiss = gv
        ? `Unknown kind "${gvk.kind}" for apiVersion "${gvk.apiVersion}" in cluster "${cluster.context}".`
        : `Unknown apiVersion "${gvk.apiVersion}" in cluster "${cluster.context}" (no such API group/version is served).`;
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      clusterProblem =
        err instanceof BrokenSchemaError
          ? `cluster ${cluster.context} serves a broken schema (${why})`
          : `cluster ${cluster.context} unreachable: ${why}`;
    }
  }
  if (opts.workspace) {
    try {
      const set = await opts.workspace();
      const def = set.kinds[key];
      if (def) {
        const uri = `${SCHEME}://workspace/${createHash('sha256').update(JSON.stringify(set.definitions[def])).digest('hex').slice(0, 16)}/${seg(gvk.apiVersion)}/${seg(gvk.kind)}.json`;
        docs.put(uri, () => kindSchema(set, def) ?? {});
        return { found: true, uri, source: 'workspace', label: 'CustomResourceDefinition in the workspace' };
      }
    } catch {
      // unreadable workspace CRDs: fall through
    }
  }
  // The cluster answered and does not know the kind: that is the answer (the bundled schema would only hide it).
  if (clusterMiss) return { found: false, message: `${clusterMiss} Check apiVersion and kind, or install the CRD.` };
  const bundled = opts.bundled?.();
  if (bundled) {
    const def = bundled.kinds[key];
    const why = clusterProblem ? `; ${clusterProblem}` : '';
    if (def) {
      const uri = `${SCHEME}://bundled/${seg(bundled.version)}/${seg(gvk.apiVersion)}/${seg(gvk.kind)}.json`;
      docs.put(uri, () => kindSchema(bundled, def) ?? {});
      return { found: true, uri, source: 'bundled', label: `bundled Kubernetes ${bundled.version} schema${why}` };
    }
    return {
      found: false,
      message: `Unknown kind "${gvk.kind}" for apiVersion "${gvk.apiVersion}" in the bundled Kubernetes ${bundled.version} schema (no cluster to ask${why}).`,
    };
  }
  return { found: false, message: `No schema for ${gvk.apiVersion} ${gvk.kind}.` };
}

/** The schema of a document whose kind is unknown: the diagnostic sits on `kind`. */
export function unknownKindSchema(message: string): JsonSchema {
  return {
    type: 'object',
    properties: { kind: { type: 'string', pattern: '[^\\s\\S]', patternErrorMessage: message } },
  };
}

/** The schema of a document that is not a mapping, in a file of manifests. */
export function notAMappingSchema(): JsonSchema {
  return {
    type: 'object',
    errorMessage: 'A Kubernetes manifest must be a mapping (apiVersion: ..., kind: ..., metadata: ...).',
  };
}

/**
 * The answer to yaml-language-server's custom/schema/request for one file: a schema whose `schemaSequence` has
 * one entry per document (its kind's schema, an unknown-kind or not-a-mapping schema, or anything for an empty
 * document), registered in `docs` under a content-addressed URI.
 */
export async function schemaSequenceFor(
  info: FileInfo,
  docs: SchemaDocuments,
  opts: ResolveOptions,
): Promise<{ uri: string; lookups: Lookup[] }> {
  const lookups: Lookup[] = [];
  const sequence: JsonSchema[] = await Promise.all(
    info.documents.map(async (d) => {
      if (d.gvk) {
        const r = await resolveKind(d.gvk, docs, opts);
        lookups.push(r);
        return r.found ? { $ref: r.uri } : unknownKindSchema(r.message);
      }
      if (!d.mapping && !d.empty) return notAMappingSchema();
      return {};
    }),
  );
  const content = { schemaSequence: sequence };
  const hash = createHash('sha256').update(JSON.stringify(content)).digest('hex').slice(0, 20);
  return { uri: docs.put(`${SCHEME}://sequence/${hash}.json`, () => content), lookups };
}

/**
 * Our settings for yaml-language-server (its `yaml` section), whatever the user's `yaml.*` says (those belong to
 * Red Hat's extension): no schema store or CRD catalogue downloads, no formatter.
 */
export function yamlServerSettings(): Record<string, unknown> {
  return {
    validate: true,
    hover: true,
    // The status bar names the schema; a link to a kubewb-schema:// URI would lead nowhere.
    hoverSchemaSource: false,
    completion: true,
    format: { enable: false },
    schemaStore: { enable: false },
    kubernetesCRDStore: { enable: false },
    schemas: {},
    customTags: [],
    disableAdditionalProperties: false,
    maxItemsComputed: 5000,
    keyOrdering: false,
    style: { flowMapping: 'allow', flowSequence: 'allow' },
  };
}
