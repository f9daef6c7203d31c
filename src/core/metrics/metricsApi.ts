import type { ApiResource } from '../kube/discovery';
import type { JsonTransport } from '../kube/transport';
import { cpuMillis, memoryBytes } from '../resources/quantity';

/**
 * Reading `metrics.k8s.io/v1beta1` (served by metrics-server through the API server's aggregation layer): one GET
 * per namespace (or for all namespaces) for pods, one for nodes. Reads only.
 */

export const METRICS_GROUP = 'metrics.k8s.io';
export const METRICS_VERSION = 'v1beta1';
const BASE = `/apis/${METRICS_GROUP}/${METRICS_VERSION}`;
/** A metrics list is small (a few hundred bytes per pod); this bounds a broken or hostile server. */
const MAX_METRICS_BYTES = 64 * 2 ** 20;

/** CPU in millicores and memory in bytes, summed over a pod's containers. */
export interface Usage {
  readonly cpu: number;
  readonly memory: number;
}

export interface ContainerUsage extends Usage {
  readonly name: string;
}

export interface PodUsage extends Usage {
  readonly namespace: string;
  readonly name: string;
  readonly containers: readonly ContainerUsage[];
  /** When metrics-server took the sample (RFC 3339), and over which window (`10.017s`). */
  readonly timestamp?: string;
  readonly window?: string;
}

export interface NodeUsage extends Usage {
  readonly name: string;
  readonly timestamp?: string;
  readonly window?: string;
}

interface MetricsItem {
  metadata?: { name?: string; namespace?: string };
  timestamp?: string;
  window?: string;
  usage?: Record<string, unknown>;
  containers?: { name?: string; usage?: Record<string, unknown> }[];
}

/** Whether discovery lists metrics.k8s.io (an unavailable APIService is left out of discovery as stale). */
export function metricsServed(resources: readonly ApiResource[]): boolean {
  return resources.some((r) => r.group === METRICS_GROUP && r.plural === 'pods');
}

export function podMetricsPath(namespace: string | undefined): string {
  return namespace ? `${BASE}/namespaces/${encodeURIComponent(namespace)}/pods` : `${BASE}/pods`;
}

export const NODE_METRICS_PATH = `${BASE}/nodes`;

/** One PodMetrics item as a pod's usage (its containers summed), or undefined when it is not one. */
export function toPodUsage(item: unknown): PodUsage | undefined {
  const m = item as MetricsItem | undefined;
  const name = m?.metadata?.name;
  const namespace = m?.metadata?.namespace;
  if (typeof name !== 'string' || typeof namespace !== 'string') return undefined;
  const containers: ContainerUsage[] = [];
  for (const c of Array.isArray(m?.containers) ? m.containers : []) {
    containers.push({
      name: typeof c?.name === 'string' ? c.name : '?',
      cpu: cpuMillis(c?.usage?.cpu) ?? 0,
      memory: memoryBytes(c?.usage?.memory) ?? 0,
    });
  }
  return {
    namespace,
    name,
    containers,
    cpu: containers.reduce((sum, c) => sum + c.cpu, 0),
    memory: containers.reduce((sum, c) => sum + c.memory, 0),
    timestamp: typeof m?.timestamp === 'string' ? m.timestamp : undefined,
    window: typeof m?.window === 'string' ? m.window : undefined,
  };
}

export function toNodeUsage(item: unknown): NodeUsage | undefined {
  const m = item as MetricsItem | undefined;
  const name = m?.metadata?.name;
  if (typeof name !== 'string') return undefined;
  return {
    name,
    cpu: cpuMillis(m?.usage?.cpu) ?? 0,
    memory: memoryBytes(m?.usage?.memory) ?? 0,
    timestamp: typeof m?.timestamp === 'string' ? m.timestamp : undefined,
    window: typeof m?.window === 'string' ? m.window : undefined,
  };
}

function itemsOf(list: unknown): unknown[] {
  const items = (list as { items?: unknown } | undefined)?.items;
  return Array.isArray(items) ? items : [];
}

/** The pods of a namespace (or of all namespaces) with their usage: one request. */
export async function readPodMetrics(
  client: JsonTransport,
  context: string,
  namespace: string | undefined,
  signal?: AbortSignal,
): Promise<PodUsage[]> {
  const list = await client.getJson<unknown>(
    podMetricsPath(namespace),
    { maxBytes: MAX_METRICS_BYTES, signal },
    `reading pod metrics ${namespace ? `in ${namespace}` : 'in all namespaces'} on ${context}`,
  );
  return itemsOf(list)
    .map(toPodUsage)
    .filter((u): u is PodUsage => u !== undefined);
}

/** Every node with its usage: one request. */
export async function readNodeMetrics(
  client: JsonTransport,
  context: string,
  signal?: AbortSignal,
): Promise<NodeUsage[]> {
  const list = await client.getJson<unknown>(
    NODE_METRICS_PATH,
    { maxBytes: MAX_METRICS_BYTES, signal },
    `reading node metrics on ${context}`,
  );
  return itemsOf(list)
    .map(toNodeUsage)
    .filter((u): u is NodeUsage => u !== undefined);
}
