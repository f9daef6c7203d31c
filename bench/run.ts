// `npm run bench`: measures the extension's core paths against the local control plane, each next to a floor
// measured in the same run on the same objects (kubectl, JSON.parse), and writes bench/results.json.
// Benchmarks, not tests: these machines are shared and noisy, so figures are medians of several runs.
import { execFile, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { startCluster, type LocalCluster } from '../test/cluster/index';
import { ClusterClient } from '../src/core/kube/clusterClient';
import { loadKubeconfig } from '../src/core/kube/kubeconfig';
import { WatchedList } from '../src/core/watch/watchedList';
import { toRow, type ResourceRow } from '../src/core/resources/rows';
import { silentLogger } from '../src/core/common/logger';
import { benchApply } from './apply';
import { benchActivation } from './activation';

interface Result {
  name: string;
  value: number;
  unit: string;
  floor: number | null;
  ratio: number | null;
  target: string;
  note?: string;
}

const results: Result[] = [];
const PODS = Number(process.env.KWB_BENCH_PODS ?? 10_000);
const RUNS = Number(process.env.KWB_BENCH_RUNS ?? 3);

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

function record(r: Omit<Result, 'ratio'>): void {
  const ratio = r.floor ? Number((r.value / r.floor).toFixed(2)) : null;
  results.push({
    ...r,
    value: Number(r.value.toFixed(2)),
    floor: r.floor === null ? null : Number(r.floor.toFixed(2)),
    ratio,
  });
  console.log(
    `  ${r.name}: ${r.value.toFixed(1)} ${r.unit}${r.floor ? ` (floor ${r.floor.toFixed(1)}, ratio ${ratio})` : ''}`,
  );
}

function kubectl(args: string[], kubeconfig: string): Promise<{ ms: number; stdout: Buffer }> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    execFile(
      'kubectl',
      ['--kubeconfig', kubeconfig, ...args],
      { encoding: 'buffer', maxBuffer: 1 << 30 },
      (err, stdout) => {
        if (err) reject(new Error(`kubectl ${args.join(' ')} failed: ${err.message}`));
        else resolve({ ms: performance.now() - started, stdout });
      },
    );
  });
}

function podList(cluster: LocalCluster, path = '/api/v1/pods'): WatchedList<ResourceRow> {
  const kc = loadKubeconfig([cluster.kubeconfigPath]).kubeConfigFor('kwb-admin');
  return new WatchedList<ResourceRow>(new ClusterClient('kwb-admin', kc), path, (o) => toRow('Pod', o), 'pods', {
    log: silentLogger,
    pageSize: 500,
  });
}

async function untilReady(list: WatchedList<ResourceRow>): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('list did not become ready in 120 s')), 120_000);
    const check = (): void => {
      const snap = list.snapshot();
      if (snap.state === 'ready') {
        clearTimeout(timer);
        resolve();
      } else if (snap.state === 'failed') {
        clearTimeout(timer);
        reject(snap.error ?? new Error('failed'));
      }
    };
    list.onDidChange(check);
    list.start();
    check();
  });
}

async function benchList(cluster: LocalCluster, scope: 'all namespaces' | 'one namespace'): Promise<void> {
  const path = scope === 'all namespaces' ? '/api/v1/pods' : '/api/v1/namespaces/scale/pods';
  const args = scope === 'all namespaces' ? ['get', 'pods', '-A'] : ['get', 'pods', '-n', 'scale'];
  const kubectlMs: number[] = [];
  const parseMs: number[] = [];
  const oursMs: number[] = [];
  const firstRowsMs: number[] = [];
  let count = 0;
  for (let i = 0; i < RUNS; i++) {
    const { ms, stdout } = await kubectl(
      [...args, '-o', 'json', '--chunk-size=500', '--context', 'kwb-admin'],
      cluster.kubeconfigPath,
    );
    kubectlMs.push(ms);
    const text = stdout.toString('utf8');
    const p0 = performance.now();
    count = (JSON.parse(text) as { items: unknown[] }).items.length;
    parseMs.push(performance.now() - p0);

    const list = podList(cluster, path);
    const t0 = performance.now();
    const wall0 = Date.now();
    await untilReady(list);
    oursMs.push(performance.now() - t0);
    firstRowsMs.push((list.stats.firstRowsAt ?? wall0) - (list.stats.firstPageAt ?? wall0));
    if (list.size !== count) console.warn(`  warning: listed ${list.size} rows, kubectl saw ${count}`);
    list.dispose();
  }
  console.log(`  ${count} pods in ${scope}`);
  record({
    name: `tree: all rows of ${count} pods (${scope}) vs kubectl get -o json --chunk-size=500`,
    value: median(oursMs),
    unit: 'ms',
    floor: median(kubectlMs),
    target: '<= 1.3x',
  });
  record({
    name: `tree: all rows of ${count} pods (${scope}) vs JSON.parse of the same bytes`,
    value: median(oursMs),
    unit: 'ms',
    floor: median(parseMs),
    target: 'report',
  });
  record({
    name: `tree: first rows after the first page arrives (${scope})`,
    value: median(firstRowsMs),
    unit: 'ms',
    floor: null,
    target: '<= 100',
  });
}

async function benchMemory(cluster: LocalCluster): Promise<void> {
  // The API server's own bytes (what the watch cache parses), not kubectl's rendering without managedFields.
  const { stdout } = await kubectl(['get', '--raw', '/api/v1/pods', '--context', 'kwb-admin'], cluster.kubeconfigPath);
  const file = join(cluster.stateDir, 'bench-pods.json');
  writeFileSync(file, stdout);
  // A fresh process per measurement, three times: the median of each.
  const samples: { fullBytesPerObject: number; rowBytesPerObject: number; count: number }[] = [];
  for (let i = 0; i < 3; i++) {
    const out = await new Promise<string>((resolve, reject) =>
      execFile(
        process.execPath,
        ['--expose-gc', '--single-threaded-gc', '--import', 'tsx', 'bench/rowMemory.ts', file],
        { maxBuffer: 1 << 20 },
        (err, text) => (err ? reject(new Error(`bench/rowMemory.ts failed: ${err.message}`)) : resolve(text)),
      ),
    );
    samples.push(JSON.parse(out) as (typeof samples)[number]);
  }
  const perThousand = (bytes: number): number => (bytes * 1000) / 1024 / 1024;
  record({
    name: `tree model: heap per 1,000 cached pods (rows in the cache's Map vs the parsed API objects)`,
    value: perThousand(median(samples.map((s) => s.rowBytesPerObject))),
    unit: 'MB',
    floor: perThousand(median(samples.map((s) => s.fullBytesPerObject))),
    target: '<= 1',
    note: `${samples[0]?.count ?? 0} pods, median of 3 fresh processes`,
  });
}

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

async function benchWatch(cluster: LocalCluster): Promise<void> {
  // A 20,000-pod cache: the scale namespace's pods and as many again, churned by a separate process.
  const extra = Math.max(0, 20_000 - PODS);
  if (extra > 0) await churnLoad(['create', cluster.kubeconfigPath, 'churn', String(extra)]);
  const churnNamespace = extra > 0 ? 'churn' : 'scale';
  const rate = Number(process.env.KWB_BENCH_RATE ?? 1000);
  const seconds = Number(process.env.KWB_BENCH_CHURN_SECONDS ?? 600);

  // 1. Steady churn for minutes: latency from a watch chunk's arrival to the refreshed folder, CPU, and the heap.
  const steady = await startConsumer(cluster, false);
  steady.send('start');
  const load = await churnLoad(['patch', cluster.kubeconfigPath, churnNamespace, String(rate), String(seconds)]);
  await new Promise((r) => setTimeout(r, 1000));
  steady.send('stop');
  const s = await steady.result;
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

async function main(): Promise<void> {
  if (process.env.KWB_BENCH_ONLY === 'activation') {
    await benchActivation(RUNS, record);
    return report('bench/results-activation.json'); // a partial run leaves the full table alone
  }
  console.log(`starting the local cluster with ${PODS} pods (this takes a while)…`);
  const cluster = await startCluster({ pods: PODS, seed: false, readyTimeoutMs: 30 * 60 * 1000 });
  console.log(`cluster ready in ${(cluster.startupMs / 1000).toFixed(0)} s`);
  try {
    await benchActivation(RUNS, record, cluster.server);
    await benchList(cluster, 'one namespace');
    await benchList(cluster, 'all namespaces');
    await benchMemory(cluster);
    await benchWatch(cluster);
    await benchApply(cluster.kubeconfigPath, RUNS, record);
  } finally {
    await cluster.stop();
  }
  report();
}

function report(file = 'bench/results.json'): void {
  mkdirSync('bench', { recursive: true });
  writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
  console.log('\n| benchmark | value | floor | ratio | target | note |\n|---|---|---|---|---|---|');
  for (const r of results) {
    console.log(
      `| ${r.name} | ${r.value} ${r.unit} | ${r.floor ?? '–'} | ${r.ratio ?? '–'} | ${r.target} | ${r.note ?? ''} |`,
    );
  }
  console.log(`\nwritten to ${file}`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
