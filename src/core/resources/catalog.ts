import { KINDS, type Category } from './kinds';

/**
 * How the tree groups resource types. Membership is data: which built-in kinds go where; everything the
 * cluster serves that is not built in lands under Custom Resources, by API group. Kinds come from discovery,
 * so a type the cluster does not serve is never shown, and a new one appears without a release of ours.
 */
export type { Category } from './kinds';

export interface CatalogEntry {
  readonly category: Category;
  /** Order inside the category. */
  readonly order: number;
  readonly label: string;
}

/** Where each built-in kind goes: the kind registry's categories and labels, in its order. */
const BUILT_IN = new Map<string, CatalogEntry>(
  KINDS.map((k) => [
    `${k.group}/${k.plural}`,
    { category: k.category, order: KINDS.filter((o) => o.category === k.category).indexOf(k), label: k.label },
  ]),
);

/**
 * API groups of Kubernetes itself: their types not listed above are not shown (leases, tokenreviews, …).
 * Groups served by CRDs always contain a dot, so a dot-less group is built in; CRD groups under k8s.io
 * (Gateway API, snapshots) are custom resources.
 */
const BUILT_IN_GROUPS = new Set([
  'networking.k8s.io',
  'discovery.k8s.io',
  'rbac.authorization.k8s.io',
  'storage.k8s.io',
  'apiextensions.k8s.io',
  'admissionregistration.k8s.io',
  'apiregistration.k8s.io',
  'authentication.k8s.io',
  'authorization.k8s.io',
  'certificates.k8s.io',
  'coordination.k8s.io',
  'events.k8s.io',
  'flowcontrol.apiserver.k8s.io',
  'internal.apiserver.k8s.io',
  'node.k8s.io',
  'scheduling.k8s.io',
  'resource.k8s.io',
  'storagemigration.k8s.io',
  'metrics.k8s.io',
]);

function isBuiltInGroup(group: string): boolean {
  return !group.includes('.') || BUILT_IN_GROUPS.has(group);
}

export interface ListableResource {
  readonly group: string;
  readonly plural: string;
  readonly kind: string;
  readonly verbs: readonly string[];
}

/** Where a resource type goes in the tree, or undefined to leave it out. */
export function catalogEntry(resource: ListableResource): CatalogEntry | undefined {
  if (!resource.verbs.includes('list') || !resource.verbs.includes('watch')) return undefined;
  const builtIn = BUILT_IN.get(`${resource.group}/${resource.plural}`);
  if (builtIn) return builtIn;
  if (isBuiltInGroup(resource.group)) return undefined;
  return { category: 'Custom Resources', order: 0, label: resource.kind };
}

export const NAMESPACED_CATEGORIES: readonly Category[] = [
  'Workloads',
  'Network',
  'Config',
  'Storage',
  'Access',
  'Custom Resources',
  'Events',
];

export const CATEGORY_ICONS: Record<Category, string> = {
  Workloads: 'rocket',
  Network: 'globe',
  Config: 'settings-gear',
  Storage: 'database',
  Access: 'shield',
  Events: 'bell',
  Cluster: 'server-environment',
  'Custom Resources': 'extensions',
};
