// Memory of the extension host for a big folder, inside a real VS Code: a fresh code-server with the packaged .vsix
// installed and a kubeconfig naming the bench's local cluster; a probe in the extension host (bench/
// hostMemoryProbe.ts) opens the context and an empty Pods folder (the empty cache), reads process.memoryUsage().rss,
// expands the big namespace's Pods folder until all of its pods are rows of the cache, waits 10 s and reads it
// again. No forced garbage collection: the RSS a user would see. The floor, measured in the same run: a plain Node
// process that holds the same PodList, read from the API server in one GET, as one string
// (bench/hostMemoryFloor.ts). Median of fresh servers.
// Called from bench/run.ts (`KWB_BENCH_ONLY=hostMemory npm run bench`) and bench/big.ts (50,000 pods).
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
  extraEnv: Record<string, string> = {},
  timeoutMs = 420_000,
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
      KWB_BENCH_HOST_MEMORY_EMPTY_NAMESPACE: EMPTY_NAMESPACE,
      ...extraEnv,
    },
    timeoutMs,
    what: 'the host memory probe',
  });
}

interface FloorResult {
  before: number;
  after: number;
  chars: number;
}

export function floorOnce(kubeconfig: string): Promise<FloorResult> {
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

/** What distinguishes the 10,000-pod rows (bench/run.ts) from the 50,000-pod ones (bench/big.ts). */
export interface HostMemoryRows {
  /** Row names start with it (a partial bench run replaces rows by this prefix). */
  prefix: string;
  /** Target of the growth from listing the pods. */
  target: string;
}

export async function benchHostMemory(
  kubeconfig: string,
  pods: number,
  runs: number,
  record: (r: BenchRecord) => void,
  rows: HostMemoryRows = { prefix: 'hostMemory', target: '<= 15 MiB' },
  /** Fresh servers measured; fewer than 3 only to iterate on a change. */
  starts = Math.max(3, runs),
): Promise<void> {
  const vsix = packagedVsix();
  const dir = mkdtempSync(join(tmpdir(), 'kwb-bench-host-memory-'));
  try {
    const probe = await buildProbe(dir, 'hostMemoryProbe');
    const samples: HostMemoryProbeResult[] = [];
    const floors: FloorResult[] = [];
    for (let i = 0; i < starts; i++) {
      const s = await oneServer(vsix, kubeconfig, 'scale', pods, probe, dir, `scale-${i}`);
      samples.push(s);
      const f = await floorOnce(kubeconfig);
      floors.push(f);
      console.log(
        `  server ${i + 1}: opening ${EMPTY_NAMESPACE}'s Pods folder +${((s.before.rss - s.initial.rss) / MiB).toFixed(1)} MiB; ` +
          `${s.rows} rows in ${(s.listMs / 1000).toFixed(1)} s; RSS ` +
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
    }
    const growth = samples.map((s) => (s.after.rss - s.before.rss) / MiB);
    const opening = samples.map((s) => (s.before.rss - s.initial.rss) / MiB);
    const floor = floors.map((f) => (f.after - f.before) / MiB);
    const mib = (values: number[]): string => values.map((v) => v.toFixed(1)).join(', ');
    const count = samples[0]?.rows ?? pods;
    record({
      name: `${rows.prefix}: extension host growth for ${count} cached pods, above the empty cache`,
      value: median(growth),
      unit: 'MiB',
      floor: median(floor),
      target: rows.target,
      note:
        `median of ${samples.length} fresh code-server starts (${mib(growth)}): extension host RSS ` +
        `(process.memoryUsage() in the host) 10 s after the Pods folder of namespace scale listed every pod, minus ` +
        `10 s after the context and the empty Pods folder of namespace ${EMPTY_NAMESPACE} were opened in the same ` +
        `window; no forced GC; V8 heap used +${median(samples.map((s) => (s.after.heapUsed - s.before.heapUsed) / MiB)).toFixed(1)} MiB, ` +
        `peak RSS while listing +${median(samples.map((s) => (s.peakRss - s.before.rss) / MiB)).toFixed(1)} MiB (medians). ` +
        `Floor: RSS growth of a plain node process holding the same PodList (one GET, ` +
        `${((floors[0]?.chars ?? 0) / MiB).toFixed(1)} M characters, managedFields included) as one string, ` +
        `read the same way (${mib(floor)})`,
    });
    record({
      name: `${rows.prefix}: extension host growth opening a context and an empty Pods folder`,
      value: median(opening),
      unit: 'MiB',
      floor: null,
      target: 'report',
      note:
        `the same servers (${mib(opening)}): from the view shown to the context's connection, discovery, ` +
        `client-node's code and the empty folder listed, settled 10 s`,
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The .vsix to measure: built now (npm run package), or $KWB_BENCH_VSIX built earlier. */
export function packagedVsix(): string {
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
  return vsix;
}

/**
 * One fresh server that lists the big folder and then pages through it, filters it and answers the tree's
 * refreshes while `churn` changes its pods (see paging() in bench/hostMemoryProbe.ts).
 */
export async function pagingUnderChurn(
  kubeconfig: string,
  pods: number,
  churn: { command: string; args: string[]; cwd: string },
  churnSeconds: number,
  /** When the churn has passed over every pod: the heap baseline of the retention figure. */
  baselineMs: number,
): Promise<HostMemoryProbeResult> {
  const vsix = packagedVsix();
  const dir = mkdtempSync(join(tmpdir(), 'kwb-bench-paging-'));
  try {
    const probe = await buildProbe(dir, 'hostMemoryProbe');
    return await oneServer(
      vsix,
      kubeconfig,
      'scale',
      pods,
      probe,
      dir,
      'paging',
      {
        KWB_BENCH_PAGING: '1',
        KWB_BENCH_CHURN: JSON.stringify(churn),
        KWB_BENCH_CHURN_BASELINE_MS: String(baselineMs),
      },
      (churnSeconds + 900) * 1000,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
