/**
 * One Kubernetes object, addressed the way the API addresses it (group/version/plural, namespace, name), and
 * the document paths the editor uses for it. Pure: no I/O, no `vscode`.
 */
export interface ObjectRef {
  readonly context: string;
  /** '' for the core API group. */
  readonly group: string;
  readonly version: string;
  readonly plural: string;
  /** Known when the reference comes from the tree; documents learn it from the object they read. */
  readonly kind?: string;
  /** Undefined for cluster-scoped objects. */
  readonly namespace?: string;
  readonly name: string;
}

/** How a document shows its object: editable, a Secret with its values masked, or a Secret decoded for editing. */
export type DocumentMode = 'edit' | 'masked' | 'revealed';

const CORE_GROUP = '_core';
const CLUSTER_SCOPE = '_cluster';

export function apiVersionOf(ref: Pick<ObjectRef, 'group' | 'version'>): string {
  return ref.group === '' ? ref.version : `${ref.group}/${ref.version}`;
}

/** The object's URL path on the API server; every name is encoded (names are data, never path syntax). */
export function objectPath(ref: ObjectRef): string {
  const base = ref.group === '' ? `/api/${enc(ref.version)}` : `/apis/${enc(ref.group)}/${enc(ref.version)}`;
  const ns = ref.namespace !== undefined ? `/namespaces/${enc(ref.namespace)}` : '';
  return `${base}${ns}/${enc(ref.plural)}/${enc(ref.name)}`;
}

export function isSecret(ref: Pick<ObjectRef, 'group' | 'plural'>): boolean {
  return ref.group === '' && ref.plural === 'secrets';
}

/** "ConfigMap web-config in namespace demo on context kwb-admin": what users read in messages. */
export function describeRef(ref: ObjectRef, kind = ref.kind): string {
  const what = kind ? `${kind} "${ref.name}"` : `${ref.plural}/${ref.name}`;
  const where = ref.namespace !== undefined ? ` in namespace "${ref.namespace}"` : '';
  return `${what}${where} on context "${ref.context}"`;
}

/**
 * The path of a document for an object:
 * `/<context>/<group or _core>/<version>/<plural>/<namespace or _cluster>/<name><extension>`, each segment
 * percent-encoded so that names with `/`, `%`, `:` or spaces (context names often have them) survive.
 * A group never starts with `_` and a namespace is a DNS label, so `_core` and `_cluster` cannot collide.
 */
export function formatDocumentPath(ref: ObjectRef, extension = '.yaml'): string {
  const segments = [
    ref.context,
    ref.group === '' ? CORE_GROUP : ref.group,
    ref.version,
    ref.plural,
    ref.namespace ?? CLUSTER_SCOPE,
    `${ref.name}${extension}`,
  ];
  return `/${segments.map(enc).join('/')}`;
}

/** The inverse of formatDocumentPath; undefined for a path that is not one of ours. */
export function parseDocumentPath(path: string, extension = '.yaml'): ObjectRef | undefined {
  const parts = path.replace(/^\//, '').split('/');
  if (parts.length !== 6) return undefined;
  let decoded: string[];
  try {
    decoded = parts.map((p) => decodeURIComponent(p));
  } catch {
    return undefined;
  }
  const [context, group, version, plural, namespace, file] = decoded as [
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  if (!file.endsWith(extension)) return undefined;
  const name = file.slice(0, file.length - extension.length);
  if (!context || !group || !version || !plural || !namespace || !name) return undefined;
  return {
    context,
    group: group === CORE_GROUP ? '' : group,
    version,
    plural,
    namespace: namespace === CLUSTER_SCOPE ? undefined : namespace,
    name,
  };
}

/** encodeURIComponent, plus the characters it leaves alone that mean something in a path or URI. */
function enc(segment: string): string {
  return encodeURIComponent(segment).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** A resource collection: group '' is the core API. Namespace undefined means all namespaces or cluster scope. */
export interface ResourceKey {
  readonly group: string;
  readonly version: string;
  readonly plural: string;
  readonly kind: string;
  readonly namespaced: boolean;
  readonly namespace?: string;
}

export function collectionPath(key: ResourceKey): string {
  const base = key.group === '' ? `/api/${key.version}` : `/apis/${key.group}/${key.version}`;
  const ns = key.namespaced && key.namespace ? `/namespaces/${encodeURIComponent(key.namespace)}` : '';
  return `${base}${ns}/${key.plural}`;
}

export function keyId(key: ResourceKey): string {
  return `${key.group}/${key.version}/${key.plural}/${key.namespace ?? '*'}`;
}
