// `npm run bench`: measures the extension's core paths against the local control plane, each next to a floor
// measured in the same run on the same objects (kubectl, JSON.parse), and writes bench/results.json.
// Benchmarks, not tests: these machines are shared and noisy, so figures are medians of several runs.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { startCluster, type LocalCluster } from '../test/cluster/index';
import { podList, untilReady } from './lists';
import { benchBig } from './big';
import { benchApply } from './apply';
import { median, record, results } from './lib';
import { benchWorkloads } from './workloads';
import { benchWatch } from './watch';
import { benchActivation } from './activation';
import { benchValidation } from './validation';
import { benchAgentTools } from './agentTools';
import { benchHostMemory } from './hostMemory';
import { benchHelm } from './helm';
import { benchDrain } from './drain';

const PODS = Number(process.env.KWB_BENCH_PODS ?? 10_000);
const RUNS = Number(process.env.KWB_BENCH_RUNS ?? 3);
/** `KWB_BENCH_ONLY=workloads,apply` runs only those parts (see main()), to iterate on them. */
const ONLY = process.env.KWB_BENCH_ONLY;

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

    const list = podList(cluster.kubeconfigPath, path);
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

async function main(): Promise<void> {
  const parts: Record<string, (cluster: LocalCluster) => Promise<void>> = {
    activation: (cluster) => benchActivation(RUNS, record, cluster.server),
    list: async (cluster) => {
      await benchList(cluster, 'one namespace');
      await benchList(cluster, 'all namespaces');
    },
    memory: benchMemory,
    watch: benchWatch,
    apply: (cluster) => benchApply(cluster.kubeconfigPath, RUNS, record),
    workloads: (cluster) => benchWorkloads(cluster, RUNS, record),
    validation: (cluster) => benchValidation(cluster.kubeconfigPath, record),
    agent: (cluster) => benchAgentTools(cluster, PODS, record),
    hostMemory: (cluster) => benchHostMemory(cluster.kubeconfigPath, PODS, RUNS, record),
    helm: (cluster) => benchHelm(cluster, RUNS, record),
    drain: (cluster) => benchDrain(cluster, RUNS, record),
  };
  // The big-cluster part starts a cluster of its own (50,000 pods), after the others' is stopped.
  const known = [...Object.keys(parts), 'big'];
  const only = ONLY?.split(',').filter(Boolean);
  const unknown = only?.filter((name) => !known.includes(name)) ?? [];
  if (unknown.length > 0)
    throw new Error(`KWB_BENCH_ONLY: unknown part(s) ${unknown.join(', ')}; known: ${known.join(', ')}`);
  const wanted = (name: string): boolean => !only || only.includes(name);
  if (Object.keys(parts).some(wanted)) {
    // The 10,000 pods take minutes to create: only for the parts that measure them.
    const pods = ['list', 'memory', 'watch', 'agent', 'hostMemory'].some(wanted) ? PODS : 0;
    console.log(`starting the local cluster with ${pods} pods${pods > 0 ? ' (this takes a while)' : ''}…`);
    const cluster = await startCluster({ pods, seed: false, readyTimeoutMs: 30 * 60 * 1000 });
    console.log(`cluster ready in ${(cluster.startupMs / 1000).toFixed(0)} s`);
    try {
      for (const [name, run] of Object.entries(parts)) if (wanted(name)) await run(cluster);
    } finally {
      await cluster.stop();
    }
  }
  if (wanted('big')) await benchBig(RUNS, record);
  mkdirSync('bench', { recursive: true });
  // A partial run replaces only its own rows (those named like the ones it recorded) in the last full results.
  let rows = results;
  if (ONLY && existsSync('bench/results.json')) {
    const prefixes = new Set(results.map((r) => r.name.split(':')[0]));
    const previous = JSON.parse(readFileSync('bench/results.json', 'utf8')) as typeof results;
    rows = [...previous.filter((r) => !prefixes.has(r.name.split(':')[0])), ...results];
  }
  writeFileSync('bench/results.json', `${JSON.stringify(rows, null, 2)}\n`);
  console.log('\n| benchmark | value | floor | ratio | target | note |\n|---|---|---|---|---|---|');
  for (const r of results) {
    console.log(
      `| ${r.name} | ${r.value} ${r.unit} | ${r.floor ?? '–'} | ${r.ratio ?? '–'} | ${r.target} | ${r.note ?? ''} |`,
    );
  }
  console.log('\nwritten to bench/results.json');
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
