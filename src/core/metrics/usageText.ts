import { formatCpu, formatMemory, percentOf, type Amounts } from '../resources/quantity';
import type { NodeUsage, PodUsage, Usage } from './metricsApi';

/** How usage reads in the tree and the Top document, in `kubectl top`'s units. Pure. */

function withPercent(text: string, percent: number | undefined): string {
  return percent === undefined ? text : `${text} (${percent}%)`;
}

/** A pod's item description part: `41m · 48Mi`. */
export function podUsageDescription(usage: Usage): string {
  return `${formatCpu(usage.cpu)} · ${formatMemory(usage.memory)}`;
}

/** A node's item description part, as `kubectl top node`: `76m (0%) · 160Mi (0%)` of allocatable. */
export function nodeUsageDescription(usage: Usage, allocatable: Amounts | undefined): string {
  return `${withPercent(formatCpu(usage.cpu), percentOf(usage.cpu, allocatable?.cpu))} · ${withPercent(
    formatMemory(usage.memory),
    percentOf(usage.memory, allocatable?.memory),
  )}`;
}

function sampled(u: { timestamp?: string; window?: string }): string {
  if (!u.timestamp) return '';
  return `sampled ${u.timestamp.replace('T', ' ').replace('Z', ' UTC')}${u.window ? ` over ${u.window}` : ''} (metrics-server)`;
}

function ofBase(value: number, base: number | undefined, what: string, format: (n: number) => string): string {
  const p = percentOf(value, base);
  return p === undefined || base === undefined ? '' : `${p}% of ${what} ${format(base)}`;
}

/** Tooltip lines for a pod: usage, its share of requests and limits, per container when there are several. */
export function podUsageTooltip(usage: PodUsage, requests?: Amounts, limits?: Amounts): string[] {
  const line = (label: string, value: number, format: (n: number) => string, key: 'cpu' | 'memory'): string => {
    const shares = [
      ofBase(value, requests?.[key], 'request', format),
      ofBase(value, limits?.[key], 'limit', format),
    ].filter(Boolean);
    return `${label}: ${format(value)}${shares.length ? ` (${shares.join(', ')})` : ''}`;
  };
  const out = [line('CPU', usage.cpu, formatCpu, 'cpu'), line('Memory', usage.memory, formatMemory, 'memory')];
  if (usage.containers.length > 1)
    for (const c of usage.containers) out.push(`  ${c.name}: ${formatCpu(c.cpu)}, ${formatMemory(c.memory)}`);
  const when = sampled(usage);
  if (when) out.push(when);
  return out;
}

/** Tooltip lines for a node: usage and its share of allocatable. */
export function nodeUsageTooltip(usage: NodeUsage, allocatable?: Amounts): string[] {
  const out = [
    `CPU: ${formatCpu(usage.cpu)}${allocatable?.cpu ? ` (${ofBase(usage.cpu, allocatable.cpu, 'allocatable', formatCpu)})` : ''}`,
    `Memory: ${formatMemory(usage.memory)}${allocatable?.memory ? ` (${ofBase(usage.memory, allocatable.memory, 'allocatable', formatMemory)})` : ''}`,
  ];
  const when = sampled(usage);
  if (when) out.push(when);
  return out;
}
