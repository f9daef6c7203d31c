import { formatCpu, formatMemory, percentOf, type Amounts } from '../resources/quantity';
import type { NodeUsage, PodUsage } from './metricsApi';

/** The Top document's text: `kubectl top pods` / `kubectl top nodes` columns, sorted by CPU or memory. Pure. */

export type TopSort = 'cpu' | 'memory';

function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]?.length ?? 0)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!)))
      .join('   ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

function byUsage<T extends { cpu: number; memory: number; name: string; namespace?: string }>(
  items: readonly T[],
  sort: TopSort,
): T[] {
  return [...items].sort(
    (a, b) =>
      b[sort] - a[sort] ||
      (sort === 'cpu' ? b.memory - a.memory : b.cpu - a.cpu) ||
      (a.namespace ?? '').localeCompare(b.namespace ?? '') ||
      a.name.localeCompare(b.name),
  );
}

function pct(value: number, of: number | undefined): string {
  const p = percentOf(value, of);
  return p === undefined ? '—' : `${p}%`;
}

export interface TopHeader {
  readonly title: string;
  readonly sort: TopSort;
  /** When the numbers were read here (ISO), and metrics-server's sample of the newest item. */
  readonly readAt: string;
}

function heading(h: TopHeader, count: number, what: string): string {
  return [
    h.title,
    `${count} ${what}, sorted by ${h.sort === 'cpu' ? 'CPU' : 'memory'} (highest first); read ${h.readAt.replace('T', ' ').replace(/\.\d+Z$/, ' UTC')}`,
    'CPU in millicores (1000m = 1 core), memory in MiB, as kubectl top; from metrics.k8s.io (metrics-server).',
    '',
    '',
  ].join('\n');
}

/** Pods: namespace (when several), name, CPU, CPU % of request, memory, memory % of request. */
export function topPodsText(
  h: TopHeader,
  pods: readonly PodUsage[],
  requestsOf: (pod: PodUsage) => Amounts | undefined,
  allNamespaces: boolean,
): string {
  const header = [
    ...(allNamespaces ? ['NAMESPACE'] : []),
    'NAME',
    'CPU(cores)',
    'CPU%REQ',
    'MEMORY(bytes)',
    'MEMORY%REQ',
  ];
  const rows = byUsage(pods, h.sort).map((p) => {
    const req = requestsOf(p);
    return [
      ...(allNamespaces ? [p.namespace] : []),
      p.name,
      formatCpu(p.cpu),
      pct(p.cpu, req?.cpu),
      formatMemory(p.memory),
      pct(p.memory, req?.memory),
    ];
  });
  const body =
    rows.length > 0
      ? table(header, rows)
      : 'No pod has metrics (yet): metrics-server reports a pod about one resolution (15 s) after it starts.';
  return `${heading(h, pods.length, pods.length === 1 ? 'pod' : 'pods')}${body}\n`;
}

/** Nodes: name, CPU, CPU % of allocatable, memory, memory % of allocatable (`kubectl top nodes`). */
export function topNodesText(
  h: TopHeader,
  nodes: readonly NodeUsage[],
  allocatableOf: (name: string) => Amounts | undefined,
): string {
  const header = ['NAME', 'CPU(cores)', 'CPU(%)', 'MEMORY(bytes)', 'MEMORY(%)'];
  const rows = byUsage(nodes, h.sort).map((n) => {
    const a = allocatableOf(n.name);
    return [n.name, formatCpu(n.cpu), pct(n.cpu, a?.cpu), formatMemory(n.memory), pct(n.memory, a?.memory)];
  });
  const body = rows.length > 0 ? table(header, rows) : 'No node has metrics (yet).';
  return `${heading(h, nodes.length, nodes.length === 1 ? 'node' : 'nodes')}${body}\n`;
}
