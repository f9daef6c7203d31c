import type { ApiResource } from '../kube/discovery';
import type { ObjectRef } from '../resources/objectRef';
import type { KubeObject } from '../resources/kubeObject';
import type { ManifestDoc } from './manifestFiles';

/** One document, resolved against the cluster: the object it addresses, or why it cannot be applied. */
export interface PlannedDoc {
  readonly doc: ManifestDoc;
  readonly kind: string;
  /** The object on the cluster; undefined when the document cannot be applied (see `error`). */
  readonly ref?: ObjectRef;
  /** The body sent: the document's object with the namespace filled in for namespaced kinds. */
  readonly body?: KubeObject;
  readonly error?: { message: string; line: number };
  /** Position in the apply order: Namespaces first, then CRDs, then the rest. */
  readonly tier: number;
  /** The name of a CustomResourceDefinition of this batch that defines the document's kind. */
  readonly definedByCrd?: string;
}

/** Where documents go: the context, and the namespace for namespaced documents that name none. */
export interface ApplyTarget {
  readonly context: string;
  readonly namespace: string;
}

/** The order kinds are applied in (kinds not named come last); the reverse order is used to delete. */
const KIND_ORDER = [
  'Namespace',
  'CustomResourceDefinition',
  'PriorityClass',
  'StorageClass',
  'ResourceQuota',
  'LimitRange',
  'ServiceAccount',
  'Secret',
  'ConfigMap',
  'PersistentVolume',
  'PersistentVolumeClaim',
  'ClusterRole',
  'ClusterRoleBinding',
  'Role',
  'RoleBinding',
  'Service',
];

export function tierOf(kind: string): number {
  const i = KIND_ORDER.indexOf(kind);
  return i < 0 ? KIND_ORDER.length : i;
}

export function splitApiVersion(apiVersion: string): { group: string; version: string } {
  const slash = apiVersion.indexOf('/');
  return slash < 0
    ? { group: '', version: apiVersion }
    : { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1) };
}

interface CrdShape {
  metadata?: { name?: string };
  spec?: {
    group?: string;
    scope?: string;
    names?: { kind?: string; plural?: string };
    versions?: { name?: string }[];
  };
}

/** The resource a CustomResourceDefinition document defines, once it is applied. */
function crdResource(obj: KubeObject): (ApiResource & { crdName: string }) | undefined {
  const crd = obj as CrdShape;
  const spec = crd.spec;
  if (!spec?.group || !spec.names?.kind || !spec.names.plural || !crd.metadata?.name) return undefined;
  return {
    crdName: crd.metadata.name,
    group: spec.group,
    version: spec.versions?.[0]?.name ?? '',
    plural: spec.names.plural,
    kind: spec.names.kind,
    namespaced: spec.scope !== 'Cluster',
    verbs: [],
    shortNames: [],
  };
}

function isCrd(obj: KubeObject | undefined): boolean {
  return obj?.kind === 'CustomResourceDefinition' && String(obj.apiVersion).startsWith('apiextensions.k8s.io/');
}

/**
 * Resolves every document to the object it addresses and sorts them in apply order (stable within a kind).
 * Documents that cannot be resolved keep their place in the result with an error, so the report names them.
 */
export function planApply(
  docs: readonly ManifestDoc[],
  resources: readonly ApiResource[],
  target: ApplyTarget,
): PlannedDoc[] {
  const crds = docs
    .filter((d) => isCrd(d.object))
    .map((d) => crdResource(d.object!))
    .filter((r) => r !== undefined);
  const seen = new Map<string, ManifestDoc>();
  const planned = docs.map((doc): PlannedDoc => {
    const obj = doc.object;
    if (!obj) return { doc, kind: '', tier: KIND_ORDER.length, error: doc.error };
    const kind = String(obj.kind);
    const apiVersion = String(obj.apiVersion);
    const { group, version } = splitApiVersion(apiVersion);
    const tier = tierOf(kind);
    const served = resources.find((r) => r.group === group && r.kind === kind);
    const fromCrd = served ? undefined : crds.find((r) => r.group === group && r.kind === kind);
    const resource = served ?? fromCrd;
    if (!resource) {
      return {
        doc,
        kind,
        tier,
        error: {
          message: `unknown kind: context "${target.context}" serves no ${kind} in ${apiVersion} (check apiVersion and kind; for a custom resource, install its CRD first)`,
          line: doc.lineOf('kind'),
        },
      };
    }
    const metadata = (obj.metadata ?? {}) as { name: string; namespace?: unknown };
    const namespace = resource.namespaced
      ? typeof metadata.namespace === 'string' && metadata.namespace.length > 0
        ? metadata.namespace
        : target.namespace
      : undefined;
    const ref: ObjectRef = {
      context: target.context,
      group,
      version,
      plural: resource.plural,
      kind,
      namespace,
      name: metadata.name,
    };
    const id = `${group}/${kind}/${namespace ?? ''}/${metadata.name}`;
    const earlier = seen.get(id);
    if (earlier) {
      return {
        doc,
        kind,
        tier,
        error: {
          message: `the same object as document ${earlier.index} of ${earlier.source}; only the first one is applied`,
          line: doc.startLine,
        },
      };
    }
    seen.set(id, doc);
    const body: KubeObject = namespace
      ? { ...obj, metadata: { ...(obj.metadata as object), namespace } }
      : { ...obj, metadata: { ...(obj.metadata as object) } };
    if (!namespace) delete (body.metadata as { namespace?: string }).namespace;
    return { doc, kind, tier, ref, body, definedByCrd: fromCrd?.crdName };
  });
  return planned
    .map((p, i) => ({ p, i }))
    .sort((a, b) => a.p.tier - b.p.tier || a.i - b.i)
    .map(({ p }) => p);
}
