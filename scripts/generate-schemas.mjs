// Generates media/schemas/kubernetes.json.gz: the schema bundled with the extension, used to validate manifests
// when no cluster is reachable. It is converted from a real kube-apiserver's /openapi/v3 (the local control plane
// of test/cluster), built-in API groups only, so it matches a real, current Kubernetes version.
//
//   node --import tsx scripts/generate-schemas.mjs                  starts the local control plane (no seed)
//   node --import tsx scripts/generate-schemas.mjs --kubeconfig F   uses a running cluster (current context of F)
import { KubeConfig } from '@kubernetes/client-node';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { ClusterClient } from '../src/core/kube/clusterClient.ts';
import { convertOpenApi, mergeSets } from '../src/core/yaml/openapi.ts';
import { serverVersion } from '../src/core/yaml/schemaSources.ts';
import { startCluster } from '../test/cluster/index.ts';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(repoRoot, 'media', 'schemas', 'kubernetes.json.gz');

/** Built-in groups: the core group, unqualified names (apps, batch, ...) and *.k8s.io. */
function builtIn(path) {
  if (path === 'api/v1') return true;
  const m = /^apis\/([^/]+)\/[^/]+$/.exec(path);
  if (!m) return false;
  const group = m[1];
  return !group.includes('.') || group.endsWith('.k8s.io');
}

async function main() {
  const i = process.argv.indexOf('--kubeconfig');
  let cluster;
  let kubeconfig = i >= 0 ? process.argv[i + 1] : undefined;
  if (!kubeconfig) {
    console.log('starting the local control plane (test/cluster)...');
    cluster = await startCluster({ nodes: 1 });
    kubeconfig = cluster.kubeconfigPath;
  }
  try {
    const kc = new KubeConfig();
    kc.loadFromFile(kubeconfig);
    const client = new ClusterClient(kc.getCurrentContext(), kc, { timeoutMs: 60_000 });
    const index = await client.getJson('/openapi/v3');
    const version = serverVersion(await client.getJson('/version'));
    const sets = [];
    for (const [path, entry] of Object.entries(index.paths).filter(([p]) => builtIn(p))) {
      sets.push(convertOpenApi(await client.getJson(entry.serverRelativeURL)));
      console.log(`  ${path}`);
    }
    const merged = mergeSets(sets);
    const bundled = { version, ...merged };
    const json = JSON.stringify(bundled);
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, gzipSync(json, { level: 9 }));
    console.log(
      `${out}: Kubernetes ${version}, ${Object.keys(merged.kinds).length} kinds, ` +
        `${(json.length / 1024).toFixed(0)} KiB JSON, gzipped ${(gzipSync(json).length / 1024).toFixed(0)} KiB`,
    );
    client.dispose();
  } finally {
    await cluster?.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
