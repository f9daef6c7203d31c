/**
 * The metrics pipeline of the local cluster (kwok usage → metrics-server → aggregated metrics.k8s.io), checked with
 * kubectl as a user would:
 *
 *   node --import tsx --test test/cluster/metrics.test.ts
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, describe, it } from 'node:test';

import { type LocalCluster, processAlive, startCluster } from './index';

const KUBECTL = process.env.KUBECTL ?? 'kubectl';
let cluster: LocalCluster;

function kubectl(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(KUBECTL, ['--kubeconfig', cluster.kubeconfigPath, ...args], { timeout: 60_000 }, (err, stdout, stderr) =>
      err ? reject(new Error(`kubectl ${args.join(' ')}: ${stderr || err.message}`)) : resolve(stdout),
    );
  });
}

/** `kubectl top` rows as { name → [cpu millicores, memory MiB] }, keyed `namespace/name` for pods. */
function parseTop(text: string, namespaced: boolean): Map<string, [number, number]> {
  const out = new Map<string, [number, number]>();
  for (const line of text.trim().split('\n').slice(1)) {
    const cells = line.trim().split(/\s+/);
    const [key, rest] = namespaced ? [`${cells[0]}/${cells[1]}`, cells.slice(2)] : [cells[0]!, cells.slice(1)];
    const cpu = Number(/^(\d+)m$/.exec(rest[0]!)?.[1]);
    const memCell = namespaced ? rest[1]! : rest[2]!;
    const mem = Number(/^(\d+)Mi$/.exec(memCell)?.[1]);
    out.set(key, [cpu, mem]);
  }
  return out;
}

describe('metrics.k8s.io on the local cluster (--metrics)', { timeout: 300_000 }, () => {
  before(async () => {
    cluster = await startCluster({ seed: true, metrics: true });
  });
  after(async () => {
    await cluster?.stop();
  });

  it('runs metrics-server as a component and registers the APIService as Available', async () => {
    assert.ok(cluster.pids['metrics-server'] && processAlive(cluster.pids['metrics-server']), 'metrics-server runs');
    const available = await kubectl([
      'get',
      'apiservice',
      'v1beta1.metrics.k8s.io',
      '-o',
      'jsonpath={.status.conditions[?(@.type=="Available")].status}',
    ]);
    assert.equal(available, 'True');
  });

  it('kubectl top pods -A answers at once (cluster ready waited), with kwok usage: the web pods at 40m / 48Mi', async () => {
    const pods = parseTop(await kubectl(['top', 'pods', '-A']), true);
    const web = [...pods].filter(([k]) => k.startsWith('demo/web-'));
    assert.equal(web.length, 3, [...pods.keys()].join(', '));
    for (const [name, [cpu, mem]] of web) {
      assert.ok(cpu >= 39 && cpu <= 42, `${name}: ${cpu}m`);
      assert.equal(mem, 48, name);
    }
    // Two containers at the defaults (5m, 16Mi each).
    const standalone = pods.get('demo/standalone');
    assert.ok(standalone, 'demo/standalone has metrics');
    assert.equal(standalone[1], 32);
    assert.ok(standalone[0] >= 9 && standalone[0] <= 12, `${standalone[0]}m`);
  });

  it('kubectl top nodes lists every node with the sum of its pods', async () => {
    const nodes = parseTop(await kubectl(['top', 'nodes']), false);
    assert.deepEqual([...nodes.keys()].sort(), ['kwok-node-0', 'kwok-node-1', 'kwok-node-2']);
    const pods = parseTop(await kubectl(['top', 'pods', '-A']), true);
    const podMemory = [...pods.values()].reduce((s, [, m]) => s + m, 0);
    const nodeMemory = [...nodes.values()].reduce((s, [, m]) => s + m, 0);
    // Between the two reads a pod may come or go (the seeded Job and CronJob): within a few pods' worth.
    assert.ok(Math.abs(nodeMemory - podMemory) <= 64, `nodes ${nodeMemory}Mi, pods ${podMemory}Mi`);
  });
});
