import type { ClusterClient } from './clusterClient';

/** One resource type the cluster serves, at its preferred version. */
export interface ApiResource {
  readonly group: string;
  readonly version: string;
  readonly plural: string;
  readonly kind: string;
  readonly namespaced: boolean;
  readonly verbs: readonly string[];
  readonly shortNames: readonly string[];
}

interface AggregatedList {
  kind?: string;
  items?: {
    metadata?: { name?: string };
    versions?: {
      version: string;
      freshness?: string;
      resources?: {
        resource: string;
        responseKind?: { group?: string; version?: string; kind?: string };
        scope?: 'Namespaced' | 'Cluster';
        verbs?: string[];
        shortNames?: string[];
      }[];
    }[];
  }[];
}

interface LegacyResourceList {
  groupVersion?: string;
  resources?: { name: string; kind: string; namespaced: boolean; verbs?: string[]; shortNames?: string[] }[];
}

interface LegacyGroupList {
  groups?: { name: string; preferredVersion?: { version: string }; versions?: { version: string }[] }[];
}

const AGGREGATED_ACCEPT = [
  'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList',
  'application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList',
  'application/json;q=0.9',
].join(',');

/**
 * The resource types of a cluster, from aggregated discovery (two requests) where the server offers it
 * (Kubernetes 1.27+), else from the legacy per-group-version documents. Subresources are left out; so are
 * versions other than each group's preferred one. Group-versions whose discovery fails (an aggregated API
 * that is down, e.g. metrics) are skipped rather than failing the whole cluster.
 */
export async function discoverResources(client: ClusterClient, signal?: AbortSignal): Promise<ApiResource[]> {
  const [core, groups] = await Promise.all([
    client.request('/api', { accept: AGGREGATED_ACCEPT, signal }, 'discovering the core API'),
    client.request('/apis', { accept: AGGREGATED_ACCEPT, signal }, 'discovering API groups'),
  ]);
  const coreBody = JSON.parse(core.body.toString('utf8')) as AggregatedList;
  const groupsBody = JSON.parse(groups.body.toString('utf8')) as AggregatedList & LegacyGroupList;
  if (coreBody.kind === 'APIGroupDiscoveryList' && groupsBody.kind === 'APIGroupDiscoveryList') {
    return [...fromAggregated(coreBody, ''), ...fromAggregated(groupsBody, undefined)];
  }
  return legacyDiscovery(client, groupsBody, signal);
}

function fromAggregated(list: AggregatedList, forcedGroup: string | undefined): ApiResource[] {
  const out: ApiResource[] = [];
  for (const item of list.items ?? []) {
    const group = forcedGroup ?? item.metadata?.name ?? '';
    // Versions come in preference order; a stale one (its aggregated API is down) is skipped.
    const preferred = (item.versions ?? []).find((v) => v.freshness !== 'Stale');
    if (!preferred) continue;
    for (const r of preferred.resources ?? []) {
      if (!r.responseKind?.kind) continue;
      out.push({
        group,
        version: preferred.version,
        plural: r.resource,
        kind: r.responseKind.kind,
        namespaced: r.scope === 'Namespaced',
        verbs: r.verbs ?? [],
        shortNames: r.shortNames ?? [],
      });
    }
  }
  return out;
}

async function legacyDiscovery(
  client: ClusterClient,
  groups: LegacyGroupList,
  signal?: AbortSignal,
): Promise<ApiResource[]> {
  const targets: { group: string; version: string; path: string }[] = [{ group: '', version: 'v1', path: '/api/v1' }];
  for (const g of groups.groups ?? []) {
    const version = g.preferredVersion?.version ?? g.versions?.[0]?.version;
    if (version) targets.push({ group: g.name, version, path: `/apis/${g.name}/${version}` });
  }
  const results = await Promise.allSettled(
    targets.map((t) => client.getJson<LegacyResourceList>(t.path, { signal }, `discovering ${t.path}`)),
  );
  const out: ApiResource[] = [];
  results.forEach((result, i) => {
    const target = targets[i]!;
    if (result.status !== 'fulfilled') return;
    for (const r of result.value.resources ?? []) {
      if (r.name.includes('/')) continue; // a subresource such as pods/log
      out.push({
        group: target.group,
        version: target.version,
        plural: r.name,
        kind: r.kind,
        namespaced: r.namespaced,
        verbs: r.verbs ?? [],
        shortNames: r.shortNames ?? [],
      });
    }
  });
  return out;
}
