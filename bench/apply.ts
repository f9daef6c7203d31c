// Apply benchmark: our apply core (read file, split, discovery, plan, server-side apply with a few requests in
// flight) next to `kubectl apply --server-side -f` on the same generated files, side by side, alternating.
// Called from bench/run.ts; `node --import tsx bench/apply.ts` runs it alone on a small local cluster.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { startCluster, type LocalCluster } from '../test/cluster/index';
import { ClusterClient } from '../src/core/kube/clusterClient';
import { ADMIT_EVERYTHING } from '../src/core/kube/changeGuard';
import { loadKubeconfig } from '../src/core/kube/kubeconfig';
import { discoverResources } from '../src/core/kube/discovery';
import { splitManifests } from '../src/core/apply/manifestFiles';
import type { BenchRecord } from './lib';
import { planApply } from '../src/core/apply/applyPlan';
import { applyPlanned } from '../src/core/apply/serverSideApply';

const SIZES = [1, 50, 500];

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}

function run(cmd: string, args: string[]): Promise<number> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { maxBuffer: 1 << 28 }, (err) => {
      if (err) reject(new Error(`${cmd} ${args.slice(0, 4).join(' ')}… failed: ${err.message}`));
      else resolve(performance.now() - started);
    });
  });
}

function configMaps(n: number): string {
  const docs: string[] = [];
  for (let i = 0; i < n; i++) {
    docs.push(
      `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: bench-${i}\n  labels:\n    app: bench\ndata:\n  index: "${i}"\n  text: ${'x'.repeat(200)}\n`,
    );
  }
  return docs.join('---\n');
}

/** Ours: what the Apply command does after the guard, from reading the file to the last answer. */
async function applyOurs(kubeconfigPath: string, file: string, namespace: string): Promise<number> {
  const started = performance.now();
  const kc = loadKubeconfig([kubeconfigPath]).kubeConfigFor('kwb-admin');
  const client = new ClusterClient('kwb-admin', kc, ADMIT_EVERYTHING);
  try {
    const docs = splitManifests(readFileSync(file, 'utf8'), file);
    const resources = await discoverResources(client);
    const plan = planApply(docs, resources, { context: 'kwb-admin', namespace });
    const report = await applyPlanned(client, plan, 'kwb-admin');
    const bad = report.results.filter((r) => !['created', 'configured', 'unchanged'].includes(r.status));
    if (bad.length > 0) throw new Error(`apply failed: ${bad[0]?.message ?? bad[0]?.status}`);
    return performance.now() - started;
  } finally {
    client.dispose();
  }
}

export async function benchApply(
  kubeconfigPath: string,
  runs: number,
  record: (r: BenchRecord) => void,
): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'kwb-bench-apply-'));
  const kubectl = (args: string[]): Promise<number> =>
    run('kubectl', ['--kubeconfig', kubeconfigPath, '--context', 'kwb-admin', ...args]);
  try {
    for (const n of SIZES) {
      const file = join(dir, `configmaps-${n}.yaml`);
      writeFileSync(file, configMaps(n));
      const ours: number[] = [];
      const theirs: number[] = [];
      const oursAgain: number[] = [];
      const theirsAgain: number[] = [];
      for (let i = 0; i < runs; i++) {
        const nsOurs = `bench-apply-ours-${n}-${i}`;
        const nsTheirs = `bench-apply-kubectl-${n}-${i}`;
        await kubectl(['create', 'namespace', nsOurs]);
        await kubectl(['create', 'namespace', nsTheirs]);
        // Alternate who goes first, so neither always meets a warmer server.
        const pair = async (again: boolean): Promise<void> => {
          const o = (): Promise<number> => applyOurs(kubeconfigPath, file, nsOurs);
          const k = (): Promise<number> =>
            kubectl(['apply', '--server-side', '--field-manager', 'kube-workbench', '-n', nsTheirs, '-f', file]);
          if (i % 2 === 0) {
            (again ? oursAgain : ours).push(await o());
            (again ? theirsAgain : theirs).push(await k());
          } else {
            (again ? theirsAgain : theirs).push(await k());
            (again ? oursAgain : ours).push(await o());
          }
        };
        await pair(false);
        await pair(true);
        await kubectl(['delete', 'namespace', nsOurs, nsTheirs, '--wait=false']);
      }
      record({
        name: `apply: ${n} ConfigMap${n === 1 ? '' : 's'} (create) vs kubectl apply --server-side -f`,
        value: median(ours),
        unit: 'ms',
        floor: median(theirs),
        target: '<= 1.1x',
      });
      record({
        name: `apply: ${n} ConfigMap${n === 1 ? '' : 's'} again (unchanged) vs kubectl apply --server-side -f`,
        value: median(oursAgain),
        unit: 'ms',
        floor: median(theirsAgain),
        target: '<= 1.1x',
      });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function standalone(): Promise<void> {
  const cluster: LocalCluster = await startCluster({ pods: 0, seed: false });
  try {
    await benchApply(cluster.kubeconfigPath, Number(process.env.KWB_BENCH_RUNS ?? 3), (r) => {
      const ratio = r.floor ? (r.value / r.floor).toFixed(2) : '–';
      console.log(`  ${r.name}: ${r.value.toFixed(1)} ${r.unit} (floor ${r.floor?.toFixed(1)}, ratio ${ratio})`);
    });
  } finally {
    await cluster.stop();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  standalone().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
