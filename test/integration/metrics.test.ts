import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { ApiregistrationV1Api, CustomObjectsApi, type V1APIService } from '@kubernetes/client-node';
import type { Node, ResourceNode } from '../../src/ext/views/nodes';
import { api, clientConfig, clusterAbsentReason, eventually } from './helpers';
import { childrenOf, label, walk } from './tree';

const absent = clusterAbsentReason();
const CONTEXT = 'kwb-admin';
const NS = 'demo';
const APISERVICE = 'v1beta1.metrics.k8s.io';
const MI = 2 ** 20;

interface MetricsItem {
  metadata: { name: string; namespace?: string };
  usage?: { cpu: string; memory: string };
  containers?: { name: string; usage: { cpu: string; memory: string } }[];
}

/** A quantity the way the metrics API writes it (`40012345n`, `48Mi`, `16384Ki`, `50331648`) in base units. */
function quantity(q: string): number {
  const m = /^(\d+(?:\.\d+)?)(n|u|m|Ki|Mi|Gi|k|M|G)?$/.exec(q);
  if (!m) throw new Error(`unexpected quantity ${q}`);
  const f: Record<string, number> = {
    n: 1e-9,
    u: 1e-6,
    m: 1e-3,
    Ki: 1024,
    Mi: MI,
    Gi: 2 ** 30,
    k: 1e3,
    M: 1e6,
    G: 1e9,
  };
  return Number(m[1]) * (m[2] ? f[m[2]]! : 1);
}

/** metrics.k8s.io read directly (not through the extension): pods of a namespace, as millicores and MiB. */
async function directPods(): Promise<Map<string, { cpu: number; memMi: number }>> {
  const custom = clientConfig(CONTEXT).makeApiClient(CustomObjectsApi);
  const list = (await custom.listNamespacedCustomObject({
    group: 'metrics.k8s.io',
    version: 'v1beta1',
    namespace: NS,
    plural: 'pods',
  })) as { items: MetricsItem[] };
  const out = new Map<string, { cpu: number; memMi: number }>();
  for (const item of list.items) {
    const cs = item.containers ?? [];
    const cpu = cs.reduce((s, c) => s + Math.ceil(quantity(c.usage.cpu) * 1000 - 1e-9), 0);
    const mem = cs.reduce((s, c) => s + quantity(c.usage.memory), 0);
    out.set(item.metadata.name, { cpu, memMi: Math.floor(mem / MI) });
  }
  return out;
}

async function directNodes(): Promise<Map<string, { cpu: number; memMi: number }>> {
  const custom = clientConfig(CONTEXT).makeApiClient(CustomObjectsApi);
  const list = (await custom.listClusterCustomObject({
    group: 'metrics.k8s.io',
    version: 'v1beta1',
    plural: 'nodes',
  })) as { items: MetricsItem[] };
  return new Map(
    list.items.map((i) => [
      i.metadata.name,
      { cpu: Math.ceil(quantity(i.usage!.cpu) * 1000 - 1e-9), memMi: Math.floor(quantity(i.usage!.memory) / MI) },
    ]),
  );
}

async function item(node: Node): Promise<vscode.TreeItem> {
  return (await api()).tree.getTreeItem(node);
}

function text(value: string | vscode.MarkdownString | undefined | boolean | vscode.TreeItemLabel): string {
  if (typeof value === 'string') return value;
  if (value instanceof vscode.MarkdownString) return value.value;
  return '';
}

/** CPU (millicores) and memory (MiB) a pod or node item shows at the end of its description. */
function shown(description: string): { cpu: number; memMi: number } | undefined {
  const m = /(\d+)m(?: \(\d+%\))? · (\d+)Mi(?: \(\d+%\))?$/.exec(description);
  return m ? { cpu: Number(m[1]), memMi: Number(m[2]) } : undefined;
}

/** CPU is a rate of kwok's counter: two reads a scrape apart differ by rounding (and a millicore of jitter). */
const CPU_TOLERANCE = 3;

describe('Metrics from metrics-server (real cluster)', function () {
  this.timeout(240_000);

  before(async function () {
    if (absent) {
      console.log(`SKIP metrics: ${absent}`);
      this.skip();
    }
    await api();
    // Metrics are read only while a view shows them: show the Clusters view.
    await vscode.commands.executeCommand('kubeWorkbench.clusters.focus');
  });

  it('shows CPU and memory of a pod in its description and tooltip, as metrics.k8s.io reports them', async () => {
    const pods = await walk(CONTEXT, NS, 'Workloads', 'Pods');
    const web = await eventually(
      'a web pod with CPU and memory in its description',
      async () => {
        for (const kid of await childrenOf(pods)) {
          if (kid.type !== 'resource' || !label(kid).startsWith('web-')) continue;
          if (shown(text((await item(kid)).description))) return kid;
        }
        return undefined;
      },
      60_000,
    );
    const description = text((await item(web)).description);
    const direct = (await directPods()).get(label(web));
    assert.ok(direct, `metrics.k8s.io has ${label(web)}`);
    const mine = shown(description)!;
    assert.equal(mine.memMi, direct.memMi, description);
    assert.equal(mine.memMi, 48); // kwok's usage for the web pods (seed.yaml annotations)
    assert.ok(Math.abs(mine.cpu - direct.cpu) <= CPU_TOLERANCE, `${description} vs ${direct.cpu}m`);
    assert.match(description, /^Running 1\/1 · \d+m · 48Mi$/);
    const tooltip = text((await item(web)).tooltip);
    // Requests 100m/64Mi, limits 500m/128Mi (seed.yaml): the shares are in the tooltip.
    assert.match(tooltip, /CPU: \d+m \(\d+% of request 100m, \d+% of limit 500m\)/);
    assert.match(tooltip, /Memory: 48Mi \(75% of request 64Mi, 37% of limit 128Mi\)/);
    assert.match(tooltip, /sampled .* over [\d.]+s \(metrics-server\)/);
  });

  it('shows CPU and memory of a node, with percentages of allocatable', async () => {
    const nodes = await walk(CONTEXT, 'cluster', 'Nodes');
    const node = await eventually(
      'kwok-node-0 with usage',
      async () => {
        const n = (await childrenOf(nodes)).find((k) => label(k) === 'kwok-node-0');
        return n && shown(text((await item(n)).description)) ? n : undefined;
      },
      60_000,
    );
    const description = text((await item(node)).description);
    assert.match(description, /^Ready · \d+m \(\d+%\) · \d+Mi \(\d+%\)$/);
    const direct = (await directNodes()).get('kwok-node-0')!;
    const mine = shown(description)!;
    // A node's usage is the sum of its pods': equal unless a pod started or stopped between the two reads.
    assert.ok(Math.abs(mine.memMi - direct.memMi) <= 64, `${description} vs ${direct.memMi}Mi`);
    assert.ok(mine.memMi > 0 && mine.cpu > 0, description);
    assert.match(text((await item(node)).tooltip), /CPU: \d+m \(\d+% of allocatable 32000m\)/);
  });

  it('Top lists the pods of a namespace with the numbers of metrics.k8s.io, sorted by memory or CPU', async () => {
    const { top } = await api();
    const editor = await vscode.commands.executeCommand<vscode.TextEditor>(
      'kubeWorkbench.showTop',
      { context: CONTEXT, namespace: NS },
      'memory',
    );
    assert.equal(editor.document.uri.scheme, 'kubeWorkbench-top');
    const doc = await eventually('the Top table', () => {
      const t = top.textOf(editor.document.uri);
      return t && /^NAME\s+CPU\(cores\)/m.test(t) ? t : undefined;
    });
    assert.match(doc, /^Top pods in namespace demo on kwb-admin$/m);
    assert.match(doc, /sorted by memory/);
    const direct = await directPods();
    const rows = doc
      .split('\n')
      .map((l) => /^(\S+)\s+(\d+)m\s+(\S+)\s+(\d+)Mi\s+(\S+)$/.exec(l))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => ({ name: m[1]!, cpu: Number(m[2]), memMi: Number(m[4]), memReq: m[5]! }));
    assert.ok(rows.length >= 10, `the demo pods are listed:\n${doc}`);
    for (const row of rows) {
      const d = direct.get(row.name);
      if (!d) continue; // a pod that came or went between the two reads
      assert.equal(row.memMi, d.memMi, row.name);
      assert.ok(Math.abs(row.cpu - d.cpu) <= CPU_TOLERANCE, `${row.name}: ${row.cpu}m vs ${d.cpu}m`);
    }
    for (const name of direct.keys()) assert.ok(rows.some((r) => r.name === name) || name.startsWith('migrate'), name);
    const mem = rows.map((r) => r.memMi);
    assert.deepEqual(
      mem,
      [...mem].sort((a, b) => b - a),
      'sorted by memory, highest first',
    );
    assert.equal(rows.find((r) => r.name.startsWith('web-'))?.memReq, '75%');

    const byCpu = await vscode.commands.executeCommand<vscode.TextEditor>(
      'kubeWorkbench.sortTop',
      editor.document.uri,
      'cpu',
    );
    const cpuDoc = await eventually('the Top table by CPU', () => {
      const t = top.textOf(byCpu.document.uri);
      return t && /sorted by CPU/.test(t) && /^NAME/m.test(t) ? t : undefined;
    });
    const cpus = cpuDoc
      .split('\n')
      .map((l) => /^\S+\s+(\d+)m\s/.exec(l)?.[1])
      .filter((c): c is string => c !== undefined)
      .map(Number);
    assert.deepEqual(
      cpus,
      [...cpus].sort((a, b) => b - a),
      'sorted by CPU, highest first',
    );
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('a context whose metrics API goes away says so once, in one line, and sends no more metrics requests', async () => {
    const { metrics } = await api();
    const registration = clientConfig(CONTEXT).makeApiClient(ApiregistrationV1Api);
    const saved = await registration.readAPIService({ name: APISERVICE });
    const settings = vscode.workspace.getConfiguration('kubeWorkbench');
    await settings.update('metrics.refreshSeconds', 5, vscode.ConfigurationTarget.Global);
    try {
      // The pods folder holds its namespace's metrics: they are read every 5 s.
      await walk(CONTEXT, NS, 'Workloads', 'Pods');
      const before = metrics.requestCount(CONTEXT);
      await eventually('metrics read on the interval', () =>
        metrics.requestCount(CONTEXT) > before ? true : undefined,
      );
      await registration.deleteAPIService({ name: APISERVICE });
      const message = 'metrics-server is not installed on kwb-admin: CPU/memory not shown';
      const lines = await eventually(
        'the context saying metrics are not there',
        async () => {
          const kids = (await childrenOf(await walk(CONTEXT))).filter((k) => label(k) === message);
          return kids.length > 0 ? kids : undefined;
        },
        60_000,
      );
      assert.equal(lines.length, 1);
      const count = metrics.requestCount(CONTEXT);
      // Three intervals later: no request, the line still said once, no pod shows numbers.
      await new Promise((r) => setTimeout(r, 16_000));
      assert.equal(metrics.requestCount(CONTEXT), count, 'no metrics request after the absence was found');
      const kids = (await childrenOf(await walk(CONTEXT))).filter((k) => label(k) === message);
      assert.equal(kids.length, 1);
      const pods = await walk(CONTEXT, NS, 'Workloads', 'Pods');
      for (const pod of (await childrenOf(pods)).filter((k): k is ResourceNode => k.type === 'resource'))
        assert.equal(shown(text((await item(pod)).description)), undefined, label(pod));
      assert.equal(metrics.requestCount(CONTEXT), count);
    } finally {
      await settings.update('metrics.refreshSeconds', undefined, vscode.ConfigurationTarget.Global);
      const restored: V1APIService = {
        apiVersion: 'apiregistration.k8s.io/v1',
        kind: 'APIService',
        metadata: { name: APISERVICE, labels: saved.metadata?.labels },
        spec: saved.spec,
      };
      await registration.createAPIService({ body: restored }).catch(() => undefined);
    }
    // Reconnecting (a new discovery) asks again: with the APIService back, the numbers return.
    await eventually('the APIService available again', async () => {
      const s = await registration.readAPIService({ name: APISERVICE });
      return s.status?.conditions?.some((c) => c.type === 'Available' && c.status === 'True') ? true : undefined;
    });
    await vscode.commands.executeCommand('kubeWorkbench.reconnect', await walk(CONTEXT));
    const pods = await walk(CONTEXT, NS, 'Workloads', 'Pods');
    await eventually(
      'usage shown again after reconnecting',
      async () => {
        for (const kid of await childrenOf(pods))
          if (kid.type === 'resource' && shown(text((await item(kid)).description))) return true;
        return undefined;
      },
      60_000,
    );
  });
});
