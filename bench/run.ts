// `npm run bench`: measures the extension's core paths against the local control plane, each next to a floor
// measured in the same run on the same objects (kubectl, JSON.parse), and writes bench/results.json.
// Benchmarks, not tests: these machines are shared and noisy, so figures are medians of several runs.
import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { startCluster, type LocalCluster } from '../test/cluster/index';
import { ClusterClient } from '../src/core/kube/clusterClient';
import { loadKubeconfig } from '../src/core/kube/kubeconfig';
import { WatchedList, type ListWatchTransport } from '../src/core/watch/watchedList';
import { toRow, type ResourceRow } from '../src/core/resources/rows';
import { silentLogger } from '../src/core/common/logger';
import { benchApply } from './apply';
import { median, percentile, record, results } from './lib';
import { benchValidation } from './validation';

const PODS = Number(process.env.KWB_BENCH_PODS ?? 10_000);
const RUNS = Number(process.env.KWB_BENCH_RUNS ?? 3);

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
  const { stdout } = await kubectl(
    ['get', 'pods', '-A', '-o', 'json', '--chunk-size=500', '--context', 'kwb-admin'],
    cluster.kubeconfigPath,
  );
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
    name: `tree model: heap per 1,000 cached pods (rows in the cache's Map vs the parsed objects)`,
    value: perThousand(median(samples.map((s) => s.rowBytesPerObject))),
    unit: 'MB',
    floor: perThousand(median(samples.map((s) => s.fullBytesPerObject))),
    target: '<= 1',
    note: `${samples[0]?.count ?? 0} pods, median of 3 fresh processes`,
  });
}

async function benchWatchLatency(cluster: LocalCluster): Promise<void> {
  const kubeConfig = loadKubeconfig([cluster.kubeconfigPath]).kubeConfigFor('kwb-admin');
  const transport = new ClusterClient('kwb-admin', kubeConfig);
  // Time from a watch chunk's arrival in this process to the rows being updated and listeners told: the work
  // the extension does per event. (The tree then repaints within its 250 ms throttle.)
  const latencies: number[] = [];
  let events = 0;
  const timed: ListWatchTransport = {
    getJson: (path, options, what) => transport.getJson(path, options, what),
    stream: (path, options, onChunk, what) =>
      transport.stream(
        path,
        options,
        (chunk) => {
          const t0 = performance.now();
          onChunk(chunk);
          latencies.push(performance.now() - t0);
          events += chunk.toString('utf8').split('\n').length - 1;
        },
        what,
      ),
  };
  const list = new WatchedList<ResourceRow>(timed, '/api/v1/pods', (o) => toRow('Pod', o), 'pods', {
    log: silentLogger,
    pageSize: 500,
  });
  await untilReady(list);
  latencies.length = 0;
  events = 0;
  const names = list
    .snapshot()
    .items.filter((r) => r.namespace === 'scale')
    .map((r) => r.name);
  const client = new ClusterClient('kwb-admin', kubeConfig);
  const rate = Number(process.env.KWB_BENCH_RATE ?? 1000);
  const seconds = 10;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let sent = 0;
  const inflight = new Set<Promise<unknown>>();
  while (performance.now() - t0 < seconds * 1000) {
    const due = Math.floor(((performance.now() - t0) / 1000) * rate);
    while (sent < due && inflight.size < 32) {
      const name = names[sent % names.length]!;
      const body = JSON.stringify({ metadata: { labels: { 'kwb-bench': String(sent) } } });
      const p = client
        .request(`/api/v1/namespaces/scale/pods/${name}`, {
          method: 'PATCH',
          body,
          contentType: 'application/merge-patch+json',
        })
        .catch(() => undefined)
        .finally(() => inflight.delete(p));
      inflight.add(p);
      sent++;
    }
    await new Promise((r) => setTimeout(r, 5));
  }
  await Promise.all(inflight);
  await new Promise((r) => setTimeout(r, 1000));
  const elapsed = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const achieved = events / elapsed;
  record({
    name: `watch: event to updated rows, p99 per chunk, ${achieved.toFixed(0)} events/s into ${list.size} pods`,
    value: percentile(latencies, 99),
    unit: 'ms',
    floor: null,
    target: '<= 300',
    note: `p50 ${percentile(latencies, 50).toFixed(2)} ms over ${latencies.length} chunks; asked for ${rate}/s, the local API server took ${(sent / elapsed).toFixed(0)} patches/s; ${list.stats.lists} list(s)`,
  });
  record({
    name: `watch: CPU of this process at ${achieved.toFixed(0)} events/s (includes the patch load generator)`,
    value: ((cpu.user + cpu.system) / 1000 / (elapsed * 1000)) * 100,
    unit: '% of a core',
    floor: null,
    target: '<= 30',
  });
  if (list.stats.lists !== 1) console.warn(`  warning: ${list.stats.lists} lists during the churn`);
  list.dispose();
  client.dispose();
  transport.dispose();
}

async function benchKubeconfig(cluster: LocalCluster): Promise<void> {
  // 100 contexts, one of them unreachable: what the view needs before it can show the contexts.
  const dir = join(cluster.stateDir, 'bench');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'kubeconfig-100.yaml');
  const lines = ['apiVersion: v1', 'kind: Config', 'current-context: ctx-0', 'clusters:'];
  for (let i = 0; i < 100; i++)
    lines.push(
      `- name: c${i}`,
      '  cluster:',
      `    server: ${i === 99 ? 'https://127.0.0.1:1' : cluster.server}`,
      '    insecure-skip-tls-verify: true',
    );
  lines.push('users:', '- name: u', '  user:', '    token: t', 'contexts:');
  for (let i = 0; i < 100; i++) lines.push(`- name: ctx-${i}`, '  context:', `    cluster: c${i}`, '    user: u');
  writeFileSync(file, lines.join('\n'));
  const ours: number[] = [];
  const floor: number[] = [];
  for (let i = 0; i < RUNS * 3; i++) {
    const t0 = performance.now();
    const merged = loadKubeconfig([file]);
    if (merged.contexts.length !== 100) throw new Error('expected 100 contexts');
    ours.push(performance.now() - t0);
    floor.push((await kubectl(['config', 'get-contexts', '-o', 'name'], file)).ms);
  }
  record({
    name: 'contexts visible: read a 100-context kubeconfig (vs kubectl config get-contexts)',
    value: median(ours),
    unit: 'ms',
    floor: median(floor),
    target: '<= 150',
  });
}

async function main(): Promise<void> {
  // KWB_BENCH_ONLY=validation: only the manifest editor's part, on a cluster without the 10k pods.
  const only = process.env.KWB_BENCH_ONLY;
  if (only && only !== 'validation') throw new Error(`KWB_BENCH_ONLY=${only}: only "validation" is supported`);
  const pods = only ? 0 : PODS;
  console.log(`starting the local cluster with ${pods} pods (this takes a while)…`);
  const cluster = await startCluster({ pods, seed: false, readyTimeoutMs: 30 * 60 * 1000 });
  console.log(`cluster ready in ${(cluster.startupMs / 1000).toFixed(0)} s`);
  try {
    if (!only) {
      await benchKubeconfig(cluster);
      await benchList(cluster, 'one namespace');
      await benchList(cluster, 'all namespaces');
      await benchMemory(cluster);
      await benchWatchLatency(cluster);
      await benchApply(cluster.kubeconfigPath, RUNS, record);
    }
    await benchValidation(cluster.kubeconfigPath, record);
  } finally {
    await cluster.stop();
  }
  // A partial run does not replace the full results.
  const out = only ? `bench/results-${only}.json` : 'bench/results.json';
  mkdirSync('bench', { recursive: true });
  writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`);
  console.log('\n| benchmark | value | floor | ratio | target | note |\n|---|---|---|---|---|---|');
  for (const r of results) {
    console.log(
      `| ${r.name} | ${r.value} ${r.unit} | ${r.floor ?? '–'} | ${r.ratio ?? '–'} | ${r.target} | ${r.note ?? ''} |`,
    );
  }
  console.log(`\nwritten to ${out}`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
