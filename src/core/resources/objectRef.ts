import { KubeError } from '../kube/errors';
import { kindInfo } from './kinds';

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

/**
 * Why `segment` cannot be one segment of an API path, or undefined when it can. apimachinery's rule for names
 * (IsValidPathSegmentName: not "." or "..", no "/" or "%"), and also: not empty, no control characters. The API
 * server resolves `.` and `..` like a file path: `DELETE …/secrets/.` would be `DELETE …/secrets/`, the whole
 * collection. So this is checked where paths are made, for every segment, and nothing is sent on a failure.
 */
export function pathSegmentProblem(segment: string): string | undefined {
  if (typeof segment !== 'string') return 'it is not text';
  if (segment.length === 0) return 'it is empty';
  if (segment === '.' || segment === '..') return `it may not be "${segment}"`;
  if (segment.includes('/')) return 'it may not contain "/"';
  if (segment.includes('%')) return 'it may not contain "%"';
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
  if (/[\u0000-\u001f\u007f]/.test(segment)) return 'it may not contain control characters';
  return undefined;
}

/** Throws a user's error naming the segment and what is wrong with it; returns it encoded for a path. */
function segment(value: string, role: string, whose: () => string): string {
  const problem = pathSegmentProblem(value);
  if (problem) {
    const shown = JSON.stringify(value).slice(0, 80);
    throw new KubeError(
      'invalid',
      `The ${role} ${shown} of ${whose()} cannot be sent to the API server: ${problem}. Nothing was sent.`,
    );
  }
  return enc(value);
}

/**
 * The object's URL path on the API server. Every segment is checked (see pathSegmentProblem) and encoded: names
 * are data, never path syntax. Throws a KubeError of kind 'invalid' before anything is sent.
 */
export function objectPath(ref: ObjectRef): string {
  const whose = (): string =>
    `${ref.kind ?? ref.plural} in ${ref.namespace !== undefined ? `namespace ${JSON.stringify(ref.namespace)}` : 'the cluster'}`;
  return `${collectionPath({ ...ref, namespaced: ref.namespace !== undefined }, whose)}/${segment(ref.name, 'name', whose)}`;
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
  /** Only the objects with these labels (`owner=helm`): another list than the whole collection's. */
  readonly labelSelector?: string;
}

/**
 * The collection's URL path (`/api/v1/namespaces/demo/pods`, `/apis/apps/v1/deployments`): every segment checked
 * and encoded like objectPath's. A namespaced key without a namespace is the collection across all namespaces.
 */
export function collectionPath(
  key: Pick<ResourceKey, 'group' | 'version' | 'plural' | 'namespaced' | 'namespace'>,
  whose: () => string = () => key.plural,
): string {
  const base =
    key.group === ''
      ? `/api/${segment(key.version, 'API version', whose)}`
      : `/apis/${segment(key.group, 'API group', whose)}/${segment(key.version, 'API version', whose)}`;
  const ns =
    key.namespaced && key.namespace !== undefined ? `/namespaces/${segment(key.namespace, 'namespace', whose)}` : '';
  return `${base}${ns}/${segment(key.plural, 'resource', whose)}`;
}

/** The collection of a built-in kind in a namespace (or across all): `collectionOf('Pod', 'demo')`. */
export function collectionOf(kind: string, namespace: string | undefined): string {
  const info = kindInfo(kind);
  if (!info) throw new KubeError('invalid', `${kind} is not a kind Kube Workbench knows`);
  return collectionPath({ ...info, namespace });
}

/** The path of one object of a built-in kind: `pathOf('Pod', 'demo', 'web-1')`. */
export function pathOf(kind: string, namespace: string | undefined, name: string): string {
  const info = kindInfo(kind);
  if (!info) throw new KubeError('invalid', `${kind} is not a kind Kube Workbench knows`);
  return objectPath({ context: '', ...info, namespace: info.namespaced ? namespace : undefined, name });
}

export function keyId(key: ResourceKey): string {
  const id = `${key.group}/${key.version}/${key.plural}/${key.namespace ?? '*'}`;
  return key.labelSelector ? `${id}?${key.labelSelector}` : id;
}
