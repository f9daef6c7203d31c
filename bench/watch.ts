// The watch benchmark: a 20,000-pod cache under churn, the load generator (bench/churnLoad.ts) and the watching
// process (bench/watchConsumer.ts) each in their own process, so that the CPU and heap figures are the extension's
// work alone.
import { execFile, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { LocalCluster } from '../test/cluster/index';
import { percentile, record } from './lib';

const PODS = Number(process.env.KWB_BENCH_PODS ?? 10_000);

interface ConsumerResult {
  events: number;
  refreshes: number;
  elapsedMs: number;
  lastEventMs: number;
  cpuMs: number;
  latencies: number[];
  heap: { atMs: number; bytes: number }[];
  rows: number;
  lists: number;
}

/** A bench/watchConsumer.ts process: listed and watching once the promise resolves. */
async function startConsumer(
  cluster: LocalCluster,
  replay: boolean,
): Promise<{ send: (line: string) => void; result: Promise<ConsumerResult>; rows: number }> {
  const child = spawn(
    process.execPath,
    [
      '--expose-gc',
      '--import',
      'tsx',
      'bench/watchConsumer.ts',
      cluster.kubeconfigPath,
      ...(replay ? ['--replay'] : []),
    ],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  const lines = createInterface({ input: child.stdout });
  const iterator = lines[Symbol.asyncIterator]();
  const first = await iterator.next();
  if (first.done) throw new Error('bench/watchConsumer.ts ended before listing');
  const rows = (JSON.parse(first.value) as { rows: number }).rows;
  const result = iterator.next().then((next) => {
    if (next.done) throw new Error('bench/watchConsumer.ts ended without results');
    return JSON.parse(next.value) as ConsumerResult;
  });
  return { send: (line) => child.stdin.write(`${line}\n`), result, rows };
}

function churnLoad(args: string[]): Promise<Record<string, number>> {
  return new Promise((resolve, reject) =>
    execFile(
      process.execPath,
      ['--import', 'tsx', 'bench/churnLoad.ts', ...args],
      { maxBuffer: 1 << 20 },
      (err, out) =>
        err
          ? reject(new Error(`bench/churnLoad.ts ${args[0]} failed: ${err.message}`))
          : resolve(JSON.parse(out) as Record<string, number>),
    ),
  );
}

export async function benchWatch(cluster: LocalCluster): Promise<void> {
  // A 20,000-pod cache: as many pods again, in the scale namespace, which the local cluster's sandbox controller
  // leaves alone (elsewhere it would create four kwok objects per pod and slow the whole cluster down).
  const extra = Math.max(0, 20_000 - PODS);
  if (extra > 0) await churnLoad(['create', cluster.kubeconfigPath, 'scale', String(extra)]);
  const churnNamespace = 'scale';
  const rate = Number(process.env.KWB_BENCH_RATE ?? 1000);
  const seconds = Number(process.env.KWB_BENCH_CHURN_SECONDS ?? 600);

  // 1. Steady churn for minutes: latency from a watch chunk's arrival to the refreshed folder, CPU, and the heap.
  const steady = await startConsumer(cluster, false);
  steady.send('start');
  const load = await churnLoad(['patch', cluster.kubeconfigPath, churnNamespace, String(rate), String(seconds)]);
  await new Promise((r) => setTimeout(r, 1000));
  steady.send('stop');
  const s = await steady.result;
  if (s.events < load.sent! / 2)
    throw new Error(
      `the local API server delivered ${s.events} watch events for ${load.sent} writes: its pod watch is stuck (see the apiserver log in ${cluster.stateDir}/components); the figures would mean nothing`,
    );
  const achieved = s.events / (s.elapsedMs / 1000);
  const cpuShare = s.cpuMs / s.elapsedMs;
  record({
    name: `watch: chunk arrival to refreshed folder (250 ms throttle), p99, ${achieved.toFixed(0)} events/s into ${s.rows} pods`,
    value: percentile(s.latencies, 99),
    unit: 'ms',
    floor: null,
    target: '<= 300',
    note: `p50 ${percentile(s.latencies, 50).toFixed(0)} ms over ${s.latencies.length} chunks in ${(s.elapsedMs / 60_000).toFixed(1)} min; asked for ${rate}/s, the local API server took ${(load.sent! / load.seconds!).toFixed(0)} writes/s; ${s.lists} list(s), ${s.refreshes} refreshes`,
  });
  record({
    name: `watch: CPU of the watching process at ${achieved.toFixed(0)} events/s (load generator in another process)`,
    value: cpuShare * 100,
    unit: '% of a core',
    floor: null,
    target: '<= 30 at 1000/s',
    note: `${((s.cpuMs / Math.max(1, s.events)) * 1000).toFixed(0)} ms of CPU per 1,000 events`,
  });
  // Heap after a full collection every 10 s; the first minute is warm-up (code compiled, buffers grown).
  const settled = s.heap.filter((h) => h.atMs >= 60_000);
  if (settled.length >= 2) {
    const firstMb = settled[0]!.bytes / 1024 / 1024;
    const lastMb = settled[settled.length - 1]!.bytes / 1024 / 1024;
    const maxMb = Math.max(...settled.map((h) => h.bytes)) / 1024 / 1024;
    record({
      name: `watch: heap growth over ${((settled[settled.length - 1]!.atMs - settled[0]!.atMs) / 60_000).toFixed(1)} min of churn after the first minute (${s.rows} pods cached)`,
      value: lastMb - firstMb,
      unit: 'MB',
      floor: firstMb,
      target: 'flat (|growth| < 5% of the heap)',
      note: `heap ${firstMb.toFixed(1)} → ${lastMb.toFixed(1)} MB, peak ${maxMb.toFixed(1)} MB, ${settled.length} samples after gc`,
    });
  } else {
    console.warn('  heap flatness needs KWB_BENCH_CHURN_SECONDS >= 80');
  }
  if (s.lists !== 1) console.warn(`  warning: ${s.lists} lists during the churn`);

  // 2. Replay: changes made while the watch is held, then sent by the API server as fast as it can: how many events
  //    per second this process keeps up with, and the CPU each costs.
  const burst = await startConsumer(cluster, true);
  const replayLoad = await churnLoad(['patch', cluster.kubeconfigPath, churnNamespace, String(rate * 5), '20']);
  burst.send('start');
  burst.send('release');
  await new Promise((r) => setTimeout(r, 10_000));
  burst.send('stop');
  const b = await burst.result;
  const processingMs = Math.max(1, b.lastEventMs);
  record({
    name: `watch: replayed events followed per second (${b.events} changes sent at once into ${b.rows} pods)`,
    value: b.events / (processingMs / 1000),
    unit: 'events/s',
    floor: null,
    target: '>= 1000',
    note: `CPU ${((b.cpuMs / processingMs) * 100).toFixed(0)}% of a core while catching up; ${b.lists} list(s); ${replayLoad.sent} writes made`,
  });
}
