/**
 * The kind registry: what Kube Workbench knows about each built-in Kubernetes kind, written once. The tree (where
 * a kind goes, what it expands to), the item menus (capability tags in the items' contextValue, matched by
 * package.json's `when` clauses), the commands (which kinds an action accepts) and the API paths read it from
 * here. Kinds the cluster serves that are not listed (CRDs, aggregated APIs) get `discoveredKind()` defaults.
 * Pure data: no I/O, no `vscode`.
 */

/** Where a kind goes in the tree. */
export type Category =
  | 'Workloads'
  | 'Network'
  | 'Config'
  | 'Storage'
  | 'Access'
  | 'Events'
  | 'Cluster'
  | 'Custom Resources';

/**
 * What can be done with objects of a kind, beyond open/describe/delete (which every kind has, subject to RBAC).
 * Each is one tag `kwb:can-<capability>` on tree items, and one or more commands in `ACTIONS`.
 */
export const CAPABILITIES = [
  'logs',
  'exec',
  'attach',
  'portForward',
  'restart',
  'pause',
  'undo',
  'history',
  'status',
  'scale',
  'setImage',
  'runNow',
  'suspend',
  'useNamespace',
  'reveal',
  'cordon',
  'drain',
  'debug',
  'helmRead',
  'helmRollback',
  'helmUninstall',
  'top',
] as const;
export type Capability = (typeof CAPABILITIES)[number];

/**
 * Capabilities whose commands change the cluster: the tree offers them only where RBAC allows edits (`can:edit`)
 * and the context is not read-only; the guard refuses them on read-only contexts whatever offers them.
 */
export const WRITE_CAPABILITIES: ReadonlySet<Capability> = new Set([
  'restart',
  'pause',
  'undo',
  'scale',
  'setImage',
  'runNow',
  'suspend',
  'cordon',
  'drain',
  'debug',
  'helmRollback',
  'helmUninstall',
]);

/** How a kind's tree item expands: to the objects it owns (ownerReferences) or selects (a label selector). */
export interface Children {
  /** The kind of the children; it must be in the registry. */
  readonly kind: string;
  readonly by: 'owner' | 'selector' | 'node';
}

export interface KindInfo {
  readonly kind: string;
  /** '' for the core API group. */
  readonly group: string;
  readonly version: string;
  readonly plural: string;
  readonly namespaced: boolean;
  readonly category: Category;
  /** The tree folder's label. */
  readonly label: string;
  readonly capabilities: readonly Capability[];
  readonly children?: Children;
  /** A codicon name for the kind's items; `symbol-object` when not given. */
  readonly icon?: string;
}

type Entry = Omit<KindInfo, 'category' | 'capabilities'> & { capabilities?: readonly Capability[] };

const ROLLOUT: readonly Capability[] = ['restart', 'undo', 'history', 'status', 'setImage'];

/** Every built-in kind, by category, in the order the tree lists them. */
const BY_CATEGORY: Readonly<Record<Exclude<Category, 'Custom Resources'>, readonly Entry[]>> = {
  Workloads: [
    {
      kind: 'Deployment',
      icon: 'layers',
      group: 'apps',
      version: 'v1',
      plural: 'deployments',
      namespaced: true,
      label: 'Deployments',
      capabilities: [...ROLLOUT, 'pause', 'scale', 'logs', 'portForward'],
      children: { kind: 'ReplicaSet', by: 'owner' },
    },
    {
      kind: 'StatefulSet',
      icon: 'database',
      group: 'apps',
      version: 'v1',
      plural: 'statefulsets',
      namespaced: true,
      label: 'StatefulSets',
      capabilities: [...ROLLOUT, 'scale', 'logs', 'portForward'],
      children: { kind: 'Pod', by: 'owner' },
    },
    {
      kind: 'DaemonSet',
      icon: 'server-process',
      group: 'apps',
      version: 'v1',
      plural: 'daemonsets',
      namespaced: true,
      label: 'DaemonSets',
      capabilities: [...ROLLOUT, 'logs', 'portForward'],
      children: { kind: 'Pod', by: 'owner' },
    },
    {
      kind: 'ReplicaSet',
      icon: 'layers-dot',
      group: 'apps',
      version: 'v1',
      plural: 'replicasets',
      namespaced: true,
      label: 'ReplicaSets',
      capabilities: ['scale', 'logs', 'portForward'],
      children: { kind: 'Pod', by: 'owner' },
    },
    {
      kind: 'Pod',
      icon: 'package',
      group: '',
      version: 'v1',
      plural: 'pods',
      namespaced: true,
      label: 'Pods',
      capabilities: ['logs', 'exec', 'attach', 'portForward', 'debug', 'top'],
    },
    {
      kind: 'Job',
      icon: 'run',
      group: 'batch',
      version: 'v1',
      plural: 'jobs',
      namespaced: true,
      label: 'Jobs',
      capabilities: ['logs'],
      children: { kind: 'Pod', by: 'owner' },
    },
    {
      kind: 'CronJob',
      icon: 'watch',
      group: 'batch',
      version: 'v1',
      plural: 'cronjobs',
      namespaced: true,
      label: 'CronJobs',
      capabilities: ['setImage', 'runNow', 'suspend'],
      children: { kind: 'Job', by: 'owner' },
    },
  ],
  Network: [
    {
      kind: 'Service',
      icon: 'plug',
      group: '',
      version: 'v1',
      plural: 'services',
      namespaced: true,
      label: 'Services',
      capabilities: ['logs', 'portForward'],
      children: { kind: 'Pod', by: 'selector' },
    },
    {
      kind: 'Ingress',
      icon: 'globe',
      group: 'networking.k8s.io',
      version: 'v1',
      plural: 'ingresses',
      namespaced: true,
      label: 'Ingresses',
    },
    {
      kind: 'EndpointSlice',
      group: 'discovery.k8s.io',
      version: 'v1',
      plural: 'endpointslices',
      namespaced: true,
      label: 'EndpointSlices',
    },
    {
      kind: 'NetworkPolicy',
      group: 'networking.k8s.io',
      version: 'v1',
      plural: 'networkpolicies',
      namespaced: true,
      label: 'NetworkPolicies',
    },
    {
      kind: 'IngressClass',
      group: 'networking.k8s.io',
      version: 'v1',
      plural: 'ingressclasses',
      namespaced: false,
      label: 'IngressClasses',
    },
  ],
  Config: [
    {
      kind: 'ConfigMap',
      icon: 'settings',
      group: '',
      version: 'v1',
      plural: 'configmaps',
      namespaced: true,
      label: 'ConfigMaps',
    },
    {
      kind: 'Secret',
      icon: 'key',
      group: '',
      version: 'v1',
      plural: 'secrets',
      namespaced: true,
      label: 'Secrets',
      capabilities: ['reveal'],
    },
    {
      kind: 'HorizontalPodAutoscaler',
      group: 'autoscaling',
      version: 'v2',
      plural: 'horizontalpodautoscalers',
      namespaced: true,
      label: 'HorizontalPodAutoscalers',
    },
    {
      kind: 'PodDisruptionBudget',
      group: 'policy',
      version: 'v1',
      plural: 'poddisruptionbudgets',
      namespaced: true,
      label: 'PodDisruptionBudgets',
    },
    {
      kind: 'ResourceQuota',
      group: '',
      version: 'v1',
      plural: 'resourcequotas',
      namespaced: true,
      label: 'ResourceQuotas',
    },
    { kind: 'LimitRange', group: '', version: 'v1', plural: 'limitranges', namespaced: true, label: 'LimitRanges' },
  ],
  Storage: [
    {
      kind: 'PersistentVolumeClaim',
      icon: 'database',
      group: '',
      version: 'v1',
      plural: 'persistentvolumeclaims',
      namespaced: true,
      label: 'PersistentVolumeClaims',
    },
    {
      kind: 'PersistentVolume',
      group: '',
      version: 'v1',
      plural: 'persistentvolumes',
      namespaced: false,
      label: 'PersistentVolumes',
    },
    {
      kind: 'StorageClass',
      group: 'storage.k8s.io',
      version: 'v1',
      plural: 'storageclasses',
      namespaced: false,
      label: 'StorageClasses',
    },
  ],
  Access: [
    {
      kind: 'ServiceAccount',
      group: '',
      version: 'v1',
      plural: 'serviceaccounts',
      namespaced: true,
      label: 'ServiceAccounts',
    },
    {
      kind: 'Role',
      group: 'rbac.authorization.k8s.io',
      version: 'v1',
      plural: 'roles',
      namespaced: true,
      label: 'Roles',
    },
    {
      kind: 'RoleBinding',
      group: 'rbac.authorization.k8s.io',
      version: 'v1',
      plural: 'rolebindings',
      namespaced: true,
      label: 'RoleBindings',
    },
    {
      kind: 'ClusterRole',
      group: 'rbac.authorization.k8s.io',
      version: 'v1',
      plural: 'clusterroles',
      namespaced: false,
      label: 'ClusterRoles',
    },
    {
      kind: 'ClusterRoleBinding',
      group: 'rbac.authorization.k8s.io',
      version: 'v1',
      plural: 'clusterrolebindings',
      namespaced: false,
      label: 'ClusterRoleBindings',
    },
  ],
  Events: [
    { kind: 'Event', icon: 'bell', group: '', version: 'v1', plural: 'events', namespaced: true, label: 'Events' },
  ],
  Cluster: [
    {
      kind: 'Node',
      icon: 'server',
      group: '',
      version: 'v1',
      plural: 'nodes',
      namespaced: false,
      label: 'Nodes',
      capabilities: ['cordon', 'drain', 'top'],
      children: { kind: 'Pod', by: 'node' },
    },
    {
      kind: 'Namespace',
      icon: 'symbol-namespace',
      group: '',
      version: 'v1',
      plural: 'namespaces',
      namespaced: false,
      label: 'Namespaces',
      capabilities: ['useNamespace', 'top'],
    },
    {
      kind: 'CustomResourceDefinition',
      icon: 'extensions',
      group: 'apiextensions.k8s.io',
      version: 'v1',
      plural: 'customresourcedefinitions',
      namespaced: false,
      label: 'CustomResourceDefinitions',
    },
  ],
};

/** The built-in kinds, in tree order (category, then the order above). */
export const KINDS: readonly KindInfo[] = Object.entries(BY_CATEGORY).flatMap(([category, entries]) =>
  entries.map((e) => ({ ...e, category: category as Category, capabilities: e.capabilities ?? [] })),
);

const BY_KIND = new Map(KINDS.map((k) => [k.kind, k]));
const BY_RESOURCE = new Map(KINDS.map((k) => [`${k.group}/${k.plural}`, k]));

/** A built-in kind by its name (`Deployment`), or undefined. */
export function kindInfo(kind: string | undefined): KindInfo | undefined {
  return kind === undefined ? undefined : BY_KIND.get(kind);
}

/** A built-in kind by its API group and plural (`apps`, `deployments`), or undefined. */
export function kindOfResource(group: string, plural: string): KindInfo | undefined {
  return BY_RESOURCE.get(`${group}/${plural}`);
}

/** Defaults for a kind the registry does not list (a CRD's, from discovery): no actions beyond open/delete. */
export function discoveredKind(resource: {
  kind: string;
  group: string;
  version: string;
  plural: string;
  namespaced: boolean;
}): KindInfo {
  return { ...resource, category: 'Custom Resources', label: resource.kind, capabilities: [] };
}

export function hasCapability(kind: string | undefined, capability: Capability): boolean {
  return kindInfo(kind)?.capabilities.includes(capability) ?? false;
}

/** The built-in kinds that have `capability`, in registry order (for commands that check their argument). */
export function kindsWith(capability: Capability): readonly string[] {
  return KINDS.filter((k) => k.capabilities.includes(capability)).map((k) => k.kind);
}

/**
 * Tree items that are not objects of a kind but offer actions the same way: a Helm release (its records are
 * Secrets or ConfigMaps; see core/helm), a scope under a context. Their items carry these capabilities' tags.
 */
export const ITEM_CAPABILITIES: Readonly<Record<'HelmRelease' | 'Scope', readonly Capability[]>> = {
  HelmRelease: ['helmRead', 'helmRollback', 'helmUninstall'],
  /** A context's Cluster, All namespaces and namespace items: Top (nodes, all pods, the namespace's pods). */
  Scope: ['top'],
};

/** The tag a tree item carries in its contextValue when its kind has the capability. */
export function capabilityTag(capability: Capability): string {
  return `kwb:can-${capability}`;
}

/**
 * The item actions, each tied to the capability that offers it: package.json's `view/item/context` menu entry of
 * each command must match that capability's tag (a unit test reads package.json and checks it).
 */
export const ACTIONS: Readonly<Record<string, Capability>> = {
  followLogs: 'logs',
  openLogs: 'logs',
  logsWithOptions: 'logs',
  exec: 'exec',
  execCommand: 'exec',
  copyFromPod: 'exec',
  copyToPod: 'exec',
  attach: 'attach',
  portForward: 'portForward',
  rolloutRestart: 'restart',
  rolloutPause: 'pause',
  rolloutResume: 'pause',
  rolloutUndo: 'undo',
  rolloutHistory: 'history',
  rolloutStatus: 'status',
  scaleWorkload: 'scale',
  setImage: 'setImage',
  triggerCronJob: 'runNow',
  suspendCronJob: 'suspend',
  resumeCronJob: 'suspend',
  useNamespace: 'useNamespace',
  revealSecret: 'reveal',
  cordonNode: 'cordon',
  uncordonNode: 'cordon',
  drainNode: 'drain',
  debugContainer: 'debug',
  helmOpenValues: 'helmRead',
  helmOpenManifest: 'helmRead',
  helmOpenNotes: 'helmRead',
  helmHistory: 'helmRead',
  helmDiff: 'helmRead',
  helmRollback: 'helmRollback',
  helmUninstall: 'helmUninstall',
  showTop: 'top',
};
