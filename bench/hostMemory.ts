// Memory of the extension host for a big folder, inside a real VS Code: a fresh code-server with the packaged .vsix
// installed and a kubeconfig naming the bench's local cluster; a probe in the extension host (bench/
// hostMemoryProbe.ts) reads process.memoryUsage().rss, expands kwb-admin → scale → Workloads → Pods until all of the
// namespace's pods are rows of the cache, waits 10 s and reads it again. No forced garbage collection: the RSS a
// user would see. The floor, measured in the same run: a plain Node process that holds the same PodList, read
// from the API server in one GET, as one string (bench/hostMemoryFloor.ts). Median of fresh servers.
// Called from bench/run.ts; `KWB_BENCH_ONLY=hostMemory npm run bench` runs only this.
import { execFile, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { buildProbe } from './activation';
import { median, type BenchRecord } from './lib';
import { runProbeInCodeServer } from './probeRun';
import type { HostMemoryProbeResult } from './hostMemoryProbe';

const repoRoot = resolve(__dirname, '..');
const MiB = 2 ** 20;
const SETTLE_MS = 10_000;
/** The bench cluster's namespace without pods (the 10,000 are in `scale`). */
const EMPTY_NAMESPACE = 'default';

async function oneServer(
  vsix: string,
  kubeconfig: string,
  namespace: string,
  pods: number,
  probe: { host: string; entry: string },
  dir: string,
  run: string,
): Promise<HostMemoryProbeResult> {
  const workspace = join(dir, `workspace-${run}`);
  mkdirSync(workspace, { recursive: true });
  const out = join(dir, `probe-${run}.json`);
  return runProbeInCodeServer<HostMemoryProbeResult>({
    vsix,
    probe,
    workspace,
    out,
    env: {
      KUBECONFIG: kubeconfig,
      KWB_BENCH_HOST_MEMORY_OUT: out,
      KWB_BENCH_HOST_MEMORY_NAMESPACE: namespace,
      KWB_BENCH_HOST_MEMORY_PODS: String(pods),
      KWB_BENCH_HOST_MEMORY_SETTLE_MS: String(SETTLE_MS),
      KWB_BENCH_HOST_MEMORY_SNAPSHOT: process.env.KWB_BENCH_HOST_MEMORY_SNAPSHOT,
    },
    timeoutMs: 420_000,
    what: 'the host memory probe',
  });
}

interface FloorResult {
  before: number;
  after: number;
  chars: number;
}

function floorOnce(kubeconfig: string): Promise<FloorResult> {
  return new Promise((resolveP, reject) =>
    execFile(
      process.execPath,
      ['--import', 'tsx', 'bench/hostMemoryFloor.ts', kubeconfig, 'kwb-admin', 'scale', String(SETTLE_MS)],
      { cwd: repoRoot, maxBuffer: 1 << 20 },
      (err, text) =>
        err
          ? reject(new Error(`bench/hostMemoryFloor.ts failed: ${err.message}`))
          : resolveP(JSON.parse(text) as FloorResult),
    ),
  );
}

export async function benchHostMemory(
  kubeconfig: string,
  pods: number,
  runs: number,
  record: (r: BenchRecord) => void,
  /** Fresh servers measured; fewer than 3 only to iterate on a change. */
  starts = Math.max(3, runs),
): Promise<void> {
  // KWB_BENCH_VSIX: measure a package built earlier (e.g. before a change) instead of building one.
  const given = process.env.KWB_BENCH_VSIX;
  if (!given && process.env.KWB_SKIP_BUILD !== '1') {
    console.log('  building dist/kube-workbench.vsix (npm run package)…');
    const r = spawnSync('npm', ['run', '--silent', 'package'], {
      cwd: repoRoot,
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    if (r.status !== 0) throw new Error(`npm run package failed with exit ${r.status}`);
  }
  const vsix = given ? resolve(given) : join(repoRoot, 'dist', 'kube-workbench.vsix');
  if (!existsSync(vsix)) throw new Error('dist/kube-workbench.vsix is missing: run `npm run package`');
  const dir = mkdtempSync(join(tmpdir(), 'kwb-bench-host-memory-'));
  try {
    const probe = await buildProbe(dir, 'hostMemoryProbe');
    const samples: HostMemoryProbeResult[] = [];
    const empties: HostMemoryProbeResult[] = [];
    const floors: FloorResult[] = [];
    for (let i = 0; i < starts; i++) {
      const s = await oneServer(vsix, kubeconfig, 'scale', pods, probe, dir, `scale-${i}`);
      samples.push(s);
      // What expanding a context costs whatever it lists (client-node's code loaded, connection, discovery): the
      // same steps on the Pods folder of a namespace with no pods.
      const e = await oneServer(vsix, kubeconfig, EMPTY_NAMESPACE, 0, probe, dir, `empty-${i}`);
      empties.push(e);
      const f = await floorOnce(kubeconfig);
      floors.push(f);
      console.log(
        `  server ${i + 1}: ${s.rows} rows in ${(s.listMs / 1000).toFixed(1)} s; RSS ` +
          `${(s.before.rss / MiB).toFixed(1)} → ${(s.after.rss / MiB).toFixed(1)} MiB ` +
          `(+${((s.after.rss - s.before.rss) / MiB).toFixed(1)}; peak while listing ` +
          `${(s.peakRss / MiB).toFixed(1)}); heapUsed +${((s.after.heapUsed - s.before.heapUsed) / MiB).toFixed(1)}, ` +
          `heapTotal +${((s.after.heapTotal - s.before.heapTotal) / MiB).toFixed(1)}, external ` +
          `+${((s.after.external - s.before.external) / MiB).toFixed(1)}, arrayBuffers ` +
          `+${((s.after.arrayBuffers - s.before.arrayBuffers) / MiB).toFixed(1)} MiB; floor process +` +
          `${((f.after - f.before) / MiB).toFixed(1)} MiB for ${(f.chars / MiB).toFixed(1)} M characters; V8 spaces: ` +
          Object.entries(s.spaces)
            .filter(([, bytes]) => Math.abs(bytes) >= MiB / 10)
            .map(([name, bytes]) => `${name} ${bytes > 0 ? '+' : ''}${(bytes / MiB).toFixed(1)}`)
            .join(', ') +
          (s.afterSnapshot
            ? `; after a heap snapshot: heapUsed +${((s.afterSnapshot.heapUsed - s.before.heapUsed) / MiB).toFixed(1)}, ` +
              `RSS +${((s.afterSnapshot.rss - s.before.rss) / MiB).toFixed(1)} MiB`
            : ''),
      );
      console.log(
        `  server ${i + 1} on namespace ${EMPTY_NAMESPACE} (${e.rows} pods): RSS +${((e.after.rss - e.before.rss) / MiB).toFixed(1)} MiB`,
      );
    }
    const growth = samples.map((s) => (s.after.rss - s.before.rss) / MiB);
    const emptyGrowth = empties.map((s) => (s.after.rss - s.before.rss) / MiB);
    const floor = floors.map((f) => (f.after - f.before) / MiB);
    const mib = (values: number[]): string => values.map((v) => v.toFixed(1)).join(', ');
    record({
      name: `hostMemory: extension host growth for ${samples[0]?.rows ?? pods} pods`,
      value: median(growth),
      unit: 'MiB',
      floor: median(floor),
      target: '<= 15 MiB',
      note:
        `median of ${samples.length} fresh code-server starts (${mib(growth)}): extension host RSS (process.memoryUsage() ` +
        `in the host) 10 s after the Pods folder of namespace scale listed every pod, minus before expanding the ` +
        `context, no forced GC; V8 heap used +${median(samples.map((s) => (s.after.heapUsed - s.before.heapUsed) / MiB)).toFixed(1)} MiB, ` +
        `peak RSS while listing +${median(samples.map((s) => (s.peakRss - s.before.rss) / MiB)).toFixed(1)} MiB (medians). ` +
        `Of this, expanding a context at all (client-node's code loaded, connection, discovery) costs ` +
        `${median(emptyGrowth).toFixed(1)} MiB (${mib(emptyGrowth)}): the same probe on the Pods folder of namespace ` +
        `${EMPTY_NAMESPACE} (${empties[0]?.rows ?? 0} pods) in as many fresh servers; the pods' own part is the difference. ` +
        `Floor: RSS growth of a plain node process holding the same PodList (one GET, ` +
        `${((floors[0]?.chars ?? 0) / MiB).toFixed(1)} M characters, managedFields included) as one string, ` +
        `read the same way (${mib(floor)})`,
    });
    const own = growth.map((g, i) => g - (emptyGrowth[i] ?? NaN));
    record({
      name: `hostMemory: extension host growth for ${samples[0]?.rows ?? pods} pods, beyond expanding a context with an empty namespace`,
      value: median(own),
      unit: 'MiB',
      floor: median(floor),
      target: 'report',
      note:
        `median over the same ${samples.length} rounds of (growth with the pods of scale) - (growth with namespace ` +
        `${EMPTY_NAMESPACE}, in a fresh server of the same round): ${mib(own)}; floor as above`,
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
