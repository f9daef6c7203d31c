// The floor of the hostMemory bench, in a plain Node process (run with tsx by bench/hostMemory.ts): the RSS growth
// of holding the namespace's PodList as the API server sends it (one unpaged GET, managedFields included), kept as
// one string: what keeping kubectl's text of the list costs. Measured like the extension host: no forced garbage
// collection, RSS read once the process has been idle for the same settling time. Output (stdout, JSON).
import { ClusterClient } from '../src/core/kube/clusterClient';
import { ADMIT_EVERYTHING } from '../src/core/kube/changeGuard';
import { loadKubeconfig } from '../src/core/kube/kubeconfig';

async function main(): Promise<void> {
  const [kubeconfig, context = 'kwb-admin', namespace = 'scale', settle = '10000'] = process.argv.slice(2);
  const kc = loadKubeconfig([kubeconfig ?? '']).kubeConfigFor(context);
  const client = new ClusterClient(context, kc, ADMIT_EVERYTHING, { timeoutMs: 300_000 });
  // The connection (TLS, agent) is not what is measured: open it first with a small request.
  await client.request('/version');
  await new Promise((r) => setTimeout(r, 1000));
  const before = process.memoryUsage().rss;
  const held: { text?: string } = {};
  held.text = (await client.request(`/api/v1/namespaces/${namespace}/pods`)).body.toString('utf8');
  await new Promise((r) => setTimeout(r, Number(settle)));
  const after = process.memoryUsage().rss;
  process.stdout.write(JSON.stringify({ before, after, chars: held.text.length }));
  client.dispose();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
