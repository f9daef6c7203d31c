// The `drain` part: draining a kwok node holding 100 pods with our drain (src/core/nodes/drain.ts: cordon, plan,
// evictions through the Eviction API, wait until every evicted pod is gone) next to `kubectl drain
// --ignore-daemonsets --delete-emptydir-data --force` of an identical node with 100 pods, in the same run.
import { execFile } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import type { LocalCluster } from '../test/cluster/index';
import { ClusterClient } from '../src/core/kube/clusterClient';
import { ADMIT_EVERYTHING } from '../src/core/kube/changeGuard';
import { loadKubeconfig } from '../src/core/kube/kubeconfig';
import { drainNode } from '../src/core/nodes/drain';
import { median, pool, type BenchRecord } from './lib';

const PODS = 100;
const NS = 'bench-drain';
const TAINT = 'kwb.dev/bench-drain';

function kubectl(kubeconfig: string, args: string[]): Promise<{ ms: number; stdout: string }> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    execFile(
      'kubectl',
      ['--kubeconfig', kubeconfig, '--context', 'kwb-admin', ...args],
      { maxBuffer: 1 << 26 },
      (err, stdout, stderr) => {
        if (err) reject(new Error(`kubectl ${args.join(' ')} failed: ${stderr || err.message}`));
        else resolve({ ms: performance.now() - started, stdout });
      },
    );
  });
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function post(client: ClusterClient, path: string, body: unknown, what: string): Promise<void> {
  await client.request(path, { method: 'POST', body: JSON.stringify(body), contentType: 'application/json' }, what);
}

/** A kwok node of its own (tainted: nothing else lands there) with 100 pods bound to it, all Running. */
async function nodeWithPods(client: ClusterClient, node: string): Promise<void> {
  await post(
    client,
    '/api/v1/nodes',
    {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: {
        name: node,
        annotations: { 'kwok.x-k8s.io/node': 'fake' },
        labels: { 'kubernetes.io/hostname': node, type: 'kwok' },
      },
      spec: { taints: [{ key: TAINT, value: 'true', effect: 'NoSchedule' }] },
    },
    `creating node ${node}`,
  );
  const names = Array.from({ length: PODS }, (_, i) => `${node}-${i}`);
  await pool(names, 4, (name) =>
    post(
      client,
      `/api/v1/namespaces/${NS}/pods`,
      {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name, labels: { app: node } },
        spec: {
          nodeName: node,
          tolerations: [{ key: TAINT, operator: 'Exists' }],
          containers: [{ name: 'main', image: 'busybox:1.36' }],
        },
      },
      `creating pod ${name}`,
    ),
  );
  const deadline = Date.now() + 300_000;
  for (;;) {
    const list = await client.getJson<{ items: { status?: { phase?: string } }[] }>(
      `/api/v1/namespaces/${NS}/pods?fieldSelector=${encodeURIComponent(`spec.nodeName=${node}`)}`,
    );
    const running = list.items.filter((p) => p.status?.phase === 'Running').length;
    if (running === PODS) return;
    if (Date.now() > deadline) throw new Error(`only ${running} of ${PODS} pods Running on ${node} after 5 minutes`);
    await sleep(1_000);
  }
}

async function podsOn(client: ClusterClient, node: string): Promise<number> {
  const list = await client.getJson<{ items: unknown[] }>(
    `/api/v1/namespaces/${NS}/pods?fieldSelector=${encodeURIComponent(`spec.nodeName=${node}`)}`,
  );
  return list.items.length;
}

export async function benchDrain(cluster: LocalCluster, runs: number, record: (r: BenchRecord) => void): Promise<void> {
  const kc = loadKubeconfig([cluster.kubeconfigPath]).kubeConfigFor('kwb-admin');
  const client = new ClusterClient('kwb-admin', kc, ADMIT_EVERYTHING);
  await post(client, '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } }, 'ns');
  const ours: number[] = [];
  const theirs: number[] = [];
  const setups: number[] = [];
  const nodes: string[] = [];
  try {
    for (let round = 0; round < runs; round++) {
      const a = `bench-drain-ours-${round}`;
      const b = `bench-drain-kubectl-${round}`;
      nodes.push(a, b);
      const t0 = performance.now();
      await nodeWithPods(client, a);
      await nodeWithPods(client, b);
      setups.push(performance.now() - t0);
      const measureOurs = async (): Promise<void> => {
        const started = performance.now();
        const result = await drainNode(client, 'kwb-admin', a, {
          force: true,
          deleteEmptyDirData: true,
          timeoutMs: 300_000,
        });
        ours.push(performance.now() - started);
        if (result.evicted.length !== PODS || result.notEvicted.size > 0)
          throw new Error(`our drain of ${a} evicted ${result.evicted.length}, left ${result.notEvicted.size}`);
      };
      const measureKubectl = async (): Promise<void> => {
        const r = await kubectl(cluster.kubeconfigPath, [
          'drain',
          b,
          '--ignore-daemonsets',
          '--delete-emptydir-data',
          '--force',
          '--timeout=300s',
        ]);
        theirs.push(r.ms);
      };
      if (round % 2 === 0) {
        await measureOurs();
        await measureKubectl();
      } else {
        await measureKubectl();
        await measureOurs();
      }
      const left = (await podsOn(client, a)) + (await podsOn(client, b));
      if (left !== 0) throw new Error(`${left} pods still on the drained nodes`);
      console.log(
        `drain round ${round + 1}: ours ${ours.at(-1)?.toFixed(0)} ms, kubectl ${theirs.at(-1)?.toFixed(0)} ms`,
      );
    }
    record({
      name: `drain: a kwok node with ${PODS} pods, our drain vs kubectl drain --ignore-daemonsets --delete-emptydir-data --force`,
      value: median(ours),
      unit: 'ms',
      floor: median(theirs),
      target: '<= 1.0x',
      note: `median of ${runs} rounds, each on two new identical nodes (${PODS} bare pods bound to each, Running), alternating who goes first; from the call to every pod gone (ours: cordon, plan, evictions, wait; kubectl: the whole process); ours ${ours.map((m) => m.toFixed(0)).join(', ')} ms, kubectl ${theirs.map((m) => m.toFixed(0)).join(', ')} ms; creating the two nodes and their ${2 * PODS} pods took ${(median(setups) / 1000).toFixed(1)} s (median)`,
    });
  } finally {
    for (const node of nodes)
      await kubectl(cluster.kubeconfigPath, ['delete', 'node', node, '--wait=false']).catch(() => undefined);
    await kubectl(cluster.kubeconfigPath, ['delete', 'namespace', NS, '--wait=false']).catch(() => undefined);
  }
}
