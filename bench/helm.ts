// The `helm` part: listing 200 Helm releases by our release-storage reader (the tree's path: watched lists of the
// Secrets and ConfigMaps labelled owner=helm, each record decoded into a row, latest revision per release) next to
// `helm list -A` on the same cluster, in the same run.
import { execFile } from 'node:child_process';
import { gunzipSync, gzipSync } from 'node:zlib';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { LocalCluster } from '../test/cluster/index';
import { ClusterClient } from '../src/core/kube/clusterClient';
import { ADMIT_EVERYTHING } from '../src/core/kube/changeGuard';
import { loadKubeconfig } from '../src/core/kube/kubeconfig';
import { WatchedList } from '../src/core/watch/watchedList';
import { silentLogger } from '../src/core/common/logger';
import { latestReleases, toRecordRow, HELM_OWNER_SELECTOR, type HelmRecordRow } from '../src/core/helm/release';
import type { KubeObject } from '../src/core/resources/kubeObject';
import { median, pool, type BenchRecord } from './lib';
import { untilReady } from './lists';

const RELEASES = 200;
const NS = 'bench-helm';

function run(
  program: string,
  args: string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ ms: number; stdout: string }> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    execFile(program, args, { env, maxBuffer: 1 << 28 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${program} ${args.join(' ')} failed: ${stderr || err.message}`));
      else resolve({ ms: performance.now() - started, stdout });
    });
  });
}

/** The tree's way: both record lists of all namespaces, rows projected as they arrive, then the latest per release. */
export async function ourList(client: ClusterClient): Promise<{ ms: number; releases: number }> {
  const started = performance.now();
  const lists = (['secret', 'configmap'] as const).map(
    (storage) =>
      new WatchedList<HelmRecordRow>(
        client,
        storage === 'secret' ? '/api/v1/secrets' : '/api/v1/configmaps',
        (obj) => toRecordRow(obj, storage),
        `helm records (${storage})`,
        { log: silentLogger, pageSize: 500, labelSelector: HELM_OWNER_SELECTOR },
      ),
  );
  try {
    await Promise.all(lists.map((list) => untilReady(list, 'the helm records')));
    const releases = latestReleases(lists.flatMap((l) => l.snapshot().items));
    return { ms: performance.now() - started, releases: releases.length };
  } finally {
    for (const l of lists) l.dispose();
  }
}

/**
 * 200 releases: one installed by the test helm (a real record), then 199 copies of its record under other
 * release names, written as helm writes them (JSON, gzip, base64, in a Secret of type helm.sh/release.v1 with
 * helm's labels), 4 at a time.
 */
export async function seed(
  client: ClusterClient,
  helm: string,
  helmEnv: NodeJS.ProcessEnv,
  common: string[],
): Promise<number> {
  const started = performance.now();
  await run(
    helm,
    ['install', 'bench-0', join('test', 'fixtures', 'helm', 'kwb-demo'), '--create-namespace', ...common],
    helmEnv,
  );
  const secret = await client.getJson<KubeObject & { data: { release: string } }>(
    `/api/v1/namespaces/${NS}/secrets/sh.helm.release.v1.bench-0.v1`,
    {},
    'reading the seeded record',
  );
  const json = JSON.parse(
    gunzipSync(Buffer.from(Buffer.from(secret.data.release, 'base64').toString('utf8'), 'base64')).toString('utf8'),
  ) as { name: string; manifest: string };
  const names = Array.from({ length: RELEASES - 1 }, (_, i) => `bench-${i + 1}`);
  await pool(names, 4, async (name) => {
    const copy = { ...json, name, manifest: json.manifest.replaceAll('bench-0', name) };
    const encoded = gzipSync(Buffer.from(JSON.stringify(copy)), { level: 9 }).toString('base64');
    const body = {
      apiVersion: 'v1',
      kind: 'Secret',
      type: 'helm.sh/release.v1',
      metadata: {
        name: `sh.helm.release.v1.${name}.v1`,
        labels: { name, owner: 'helm', status: 'deployed', version: '1' },
      },
      data: { release: Buffer.from(encoded).toString('base64') },
    };
    await client.request(
      `/api/v1/namespaces/${NS}/secrets`,
      { method: 'POST', body: JSON.stringify(body), contentType: 'application/json' },
      `creating the record of ${name}`,
    );
  });
  return performance.now() - started;
}

export async function benchHelm(cluster: LocalCluster, runs: number, record: (r: BenchRecord) => void): Promise<void> {
  const kc = loadKubeconfig([cluster.kubeconfigPath]).kubeConfigFor('kwb-admin');
  const client = new ClusterClient('kwb-admin', kc, ADMIT_EVERYTHING);
  const helm = (await run(process.execPath, ['scripts/helm.mjs', '--build-only'])).stdout.trim();
  const { mkdtempSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const home = mkdtempSync(join(tmpdir(), 'kwb-bench-helm-'));
  const helmEnv = {
    ...process.env,
    HELM_CACHE_HOME: join(home, 'cache'),
    HELM_CONFIG_HOME: join(home, 'config'),
    HELM_DATA_HOME: join(home, 'data'),
    HELM_NO_PLUGINS: '1',
    HELM_DRIVER: 'secret',
  };
  const common = [`--kubeconfig=${cluster.kubeconfigPath}`, '--kube-context=kwb-admin'];
  try {
    console.log(`helm: seeding ${RELEASES} releases in namespace ${NS} …`);
    const seedMs = await seed(client, helm, helmEnv, [...common, `--namespace=${NS}`]);
    console.log(`helm: seeded in ${(seedMs / 1000).toFixed(1)} s`);
    const ours: number[] = [];
    const theirs: number[] = [];
    let ourCount = 0;
    let helmCount = 0;
    // Warm both three times (connection, discovery caches on the server), then alternate who goes first.
    for (let i = 0; i < 3; i++) {
      await ourList(client);
      await run(helm, ['list', '-A', ...common], helmEnv);
    }
    for (let i = 0; i < runs * 2 + 1; i++) {
      const measureOurs = async (): Promise<void> => {
        const r = await ourList(client);
        ours.push(r.ms);
        ourCount = r.releases;
      };
      const measureHelm = async (): Promise<void> => {
        const r = await run(helm, ['list', '-A', '-o', 'json', ...common], helmEnv);
        theirs.push(r.ms);
        helmCount = (JSON.parse(r.stdout) as unknown[]).length;
      };
      if (i % 2 === 0) {
        await measureOurs();
        await measureHelm();
      } else {
        await measureHelm();
        await measureOurs();
      }
    }
    if (ourCount !== RELEASES || helmCount !== RELEASES)
      throw new Error(`expected ${RELEASES} releases, we listed ${ourCount} and helm list ${helmCount}`);
    record({
      name: `helm: list ${RELEASES} Helm releases (all namespaces) by our release-storage reader vs helm list -A`,
      value: median(ours),
      unit: 'ms',
      floor: median(theirs),
      target: '<= 1.0x',
      note: `median of ${ours.length} alternated runs each; ours: the tree's path (watched lists of the Secrets and ConfigMaps labelled owner=helm, every record decoded: base64, gzip, JSON, manifest objects; latest revision per release); both listed ${RELEASES}; ours ${ours.map((m) => m.toFixed(0)).join(', ')} ms, helm ${theirs.map((m) => m.toFixed(0)).join(', ')} ms, after 3 warm-up rounds of each; seeding took ${(seedMs / 1000).toFixed(1)} s (1 helm install, then 199 copies of its record written 4 at a time)`,
    });
  } finally {
    await run('kubectl', [
      '--kubeconfig',
      cluster.kubeconfigPath,
      '--context',
      'kwb-admin',
      'delete',
      'namespace',
      NS,
      '--wait=false',
    ]).catch(() => undefined);
    rmSync(home, { recursive: true, force: true });
  }
}
