// The load generator of the watch benchmark, in its own process so that the watching process's CPU figure is the
// extension's work alone.
//
//   node --import tsx bench/churnLoad.ts create <kubeconfig> <namespace> <count>
//       creates <count> pods in <namespace> (bound round-robin to the cluster's nodes, as the seed does), then exits;
//   node --import tsx bench/churnLoad.ts patch <kubeconfig> <namespace> <rate/s> <seconds>
//       patches a label of the namespace's pods at <rate> per second for <seconds>, then prints
//       {"sent":N,"failed":N,"seconds":S} on stdout.
import { performance } from 'node:perf_hooks';
import { ClusterClient } from '../src/core/kube/clusterClient';
import { ADMIT_EVERYTHING } from '../src/core/kube/changeGuard';
import { loadKubeconfig } from '../src/core/kube/kubeconfig';

const CONCURRENCY = 64;
// Creating thousands of pods at full speed while kwok marks them Running once left the local API server's pod watch
// cache stuck (its incoming queue full, no watch events for anyone until a restart): create gently.
const CREATE_CONCURRENCY = 8;

interface Named {
  metadata?: { name?: string };
}

async function pool(total: number, width: number, run: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < total) await run(next++);
    }),
  );
}

async function create(client: ClusterClient, namespace: string, count: number): Promise<void> {
  await client
    .request('/api/v1/namespaces', {
      method: 'POST',
      body: JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } }),
      contentType: 'application/json',
    })
    .catch(() => undefined); // already there
  const nodes = ((await client.getJson<{ items: Named[] }>('/api/v1/nodes', {}, 'nodes')).items ?? [])
    .map((n) => n.metadata?.name)
    .filter((n): n is string => Boolean(n));
  let failed = 0;
  await pool(count, CREATE_CONCURRENCY, async (i) => {
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: `churn-${String(i).padStart(5, '0')}`, labels: { app: 'churn', group: `g${i % 50}` } },
      spec: {
        nodeName: nodes[i % nodes.length],
        containers: [{ name: 'app', image: 'registry.example/app:1', ports: [{ containerPort: 8080 }] }],
      },
    };
    await client
      .request(`/api/v1/namespaces/${namespace}/pods`, {
        method: 'POST',
        body: JSON.stringify(pod),
        contentType: 'application/json',
      })
      .catch(() => failed++);
  });
  process.stdout.write(JSON.stringify({ created: count - failed, failed }));
}

async function patch(client: ClusterClient, namespace: string, rate: number, seconds: number): Promise<void> {
  const names = (
    (await client.getJson<{ items: Named[] }>(`/api/v1/namespaces/${namespace}/pods`, {}, 'pods')).items ?? []
  )
    .map((p) => p.metadata?.name)
    .filter((n): n is string => Boolean(n));
  if (names.length === 0) throw new Error(`no pods in namespace ${namespace} to patch`);
  let sent = 0;
  let failed = 0;
  const inflight = new Set<Promise<unknown>>();
  const t0 = performance.now();
  while (performance.now() - t0 < seconds * 1000) {
    const due = Math.floor(((performance.now() - t0) / 1000) * rate);
    while (sent < due && inflight.size < CONCURRENCY) {
      const name = names[sent % names.length]!;
      // The pass over the pods, in a cycle of 7: each patch changes its pod (a watch event), while the objects stay
      // the same size (a unique value per patch would grow every object, and read as a leak in the heap figures).
      const pass = Math.floor(sent / names.length) % 7;
      const body = JSON.stringify({ metadata: { labels: { 'kwb-churn': `pass-${pass}` } } });
      const p = client
        .request(`/api/v1/namespaces/${namespace}/pods/${name}`, {
          method: 'PATCH',
          body,
          contentType: 'application/merge-patch+json',
        })
        .catch(() => failed++)
        .finally(() => inflight.delete(p));
      inflight.add(p);
      sent++;
    }
    await new Promise((r) => setTimeout(r, 2));
  }
  await Promise.all(inflight);
  process.stdout.write(JSON.stringify({ sent, failed, seconds: (performance.now() - t0) / 1000 }));
}

async function main(): Promise<void> {
  const [mode, kubeconfig, namespace, a, b] = process.argv.slice(2);
  if (!kubeconfig || !namespace) throw new Error('usage: see the header of bench/churnLoad.ts');
  const client = new ClusterClient(
    'kwb-admin',
    loadKubeconfig([kubeconfig]).kubeConfigFor('kwb-admin'),
    ADMIT_EVERYTHING,
  );
  try {
    if (mode === 'create') await create(client, namespace, Number(a));
    else if (mode === 'patch') await patch(client, namespace, Number(a), Number(b));
    else throw new Error(`unknown mode ${mode}`);
  } finally {
    client.dispose();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
