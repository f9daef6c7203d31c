/**
 * Measures the local cluster: start-to-ready time and resident memory (VmRSS
 * from /proc, summed over the supervisor and its process tree).
 *
 *   node --import tsx test/cluster/measure.ts [--pods N] [--nodes N] [--seed] [--metrics] [--idle-seconds S]
 */
import { readdirSync, readFileSync } from 'node:fs';

import { startCluster } from './index';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

function rssKiB(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m?.[1] ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

/** Proportional set size: shared pages (the binary's text, mapped by every component) counted once overall. */
function pssKiB(pid: number): number {
  try {
    const m = /^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'));
    return m?.[1] ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

/** The process and all its descendants. */
function tree(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const list = children.get(ppid) ?? [];
      list.push(Number(d));
      children.set(ppid, list);
    } catch {
      // process gone
    }
  }
  const out: number[] = [];
  const walk = (pid: number) => {
    out.push(pid);
    for (const c of children.get(pid) ?? []) walk(c);
  };
  walk(root);
  return out;
}

function report(label: string, pids: Record<string, number>) {
  const parts: string[] = [];
  for (const [name, pid] of Object.entries(pids)) {
    const kib = rssKiB(pid);
    parts.push(`${name}=${Math.round(kib / 1024)}MiB`);
  }
  const supervisor = pids.supervisor;
  const all = supervisor ? tree(supervisor) : Object.values(pids);
  const treeTotal = all.reduce((s, p) => s + rssKiB(p), 0);
  const treePss = all.reduce((s, p) => s + pssKiB(p), 0);
  console.log(
    `${label}: total VmRSS ${Math.round(treeTotal / 1024)} MiB, PSS ${Math.round(treePss / 1024)} MiB (VmRSS: ${parts.join(' ')})`,
  );
}

async function main() {
  const pods = Number(arg('--pods') ?? 0);
  const nodes = Number(arg('--nodes') ?? 3);
  const idle = Number(arg('--idle-seconds') ?? 30);
  const started = Date.now();
  const cluster = await startCluster({
    pods,
    nodes,
    seed: process.argv.includes('--seed'),
    metrics: process.argv.includes('--metrics'),
    readyTimeoutMs: 30 * 60 * 1000,
  });
  console.log(
    `start-to-ready: ${((Date.now() - started) / 1000).toFixed(1)} s (binary spawn to "cluster ready": ${(cluster.startupMs / 1000).toFixed(1)} s), nodes=${nodes} pods=${pods}`,
  );
  report('at ready', cluster.pids);
  await new Promise((r) => setTimeout(r, idle * 1000));
  report(`after ${idle} s idle`, cluster.pids);
  const stopStart = Date.now();
  await cluster.stop();
  console.log(`stop: ${((Date.now() - stopStart) / 1000).toFixed(1)} s, no process or port left`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
