import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { AppsV1Api, CoreV1Api, PolicyV1Api, type V1Deployment } from '@kubernetes/client-node';
import { api, clientConfig, clusterAbsentReason, eventually, simpleDeployment } from './helpers';
import { walk } from './tree';
import type { DrainResult } from '../../src/core/nodes/drain';

const absent = clusterAbsentReason();
const CONTEXT = 'kwb-admin';
const NS = 'team-b';

/**
 * Cordon, uncordon and drain on a node of its own (kwok takes over any node with its annotation), tainted so that
 * nothing else lands on it: one Deployment's pod can be evicted, one is protected by a PodDisruptionBudget, one pod
 * has no controller. The other suites' pods are never touched.
 */
describe('Nodes: cordon, uncordon, drain (real cluster)', function () {
  this.timeout(120_000);
  const id = Date.now().toString(36);
  const node = `kwb-drain-${id}`;
  const core = (): CoreV1Api => clientConfig(CONTEXT).makeApiClient(CoreV1Api);
  const apps = (): AppsV1Api => clientConfig(CONTEXT).makeApiClient(AppsV1Api);
  const policy = (): PolicyV1Api => clientConfig(CONTEXT).makeApiClient(PolicyV1Api);
  const target = { context: CONTEXT, kind: 'Node', name: node };
  const unschedulable = async (): Promise<boolean> =>
    (await core().readNode({ name: node })).spec?.unschedulable === true;

  const pinned = {
    nodeSelector: { 'kubernetes.io/hostname': node },
    tolerations: [{ key: 'kwb.dev/drain-test', operator: 'Exists' }],
  };
  const deployment = (name: string): V1Deployment => simpleDeployment(name, 'main', pinned);

  before(async function () {
    if (absent) {
      console.log(`SKIP nodes: ${absent}`);
      this.skip();
    }
    await api();
    await core().createNode({
      body: {
        metadata: {
          name: node,
          annotations: { 'kwok.x-k8s.io/node': 'fake' },
          labels: { 'kubernetes.io/hostname': node, type: 'kwok' },
        },
        spec: { taints: [{ key: 'kwb.dev/drain-test', value: 'true', effect: 'NoSchedule' }] },
      },
    });
    await apps().createNamespacedDeployment({ namespace: NS, body: deployment(`drain-free-${id}`) });
    await apps().createNamespacedDeployment({ namespace: NS, body: deployment(`drain-guarded-${id}`) });
    await policy().createNamespacedPodDisruptionBudget({
      namespace: NS,
      body: {
        metadata: { name: `drain-guarded-${id}` },
        spec: { minAvailable: 1, selector: { matchLabels: { app: `drain-guarded-${id}` } } },
      },
    });
    await core().createNamespacedPod({
      namespace: NS,
      body: {
        metadata: { name: `drain-bare-${id}` },
        spec: {
          nodeName: node,
          tolerations: pinned.tolerations,
          containers: [{ name: 'main', image: 'busybox:1.36' }],
        },
      },
    });
    await eventually(
      'three running pods on the node and the budget observed',
      async () => {
        const pods = await core().listNamespacedPod({ namespace: NS, fieldSelector: `spec.nodeName=${node}` });
        const running = pods.items.filter((p) => p.status?.phase === 'Running').length;
        const pdb = await policy().readNamespacedPodDisruptionBudget({ namespace: NS, name: `drain-guarded-${id}` });
        return running === 3 && pdb.status?.currentHealthy === 1 && pdb.status.disruptionsAllowed === 0
          ? true
          : undefined;
      },
      60_000,
    );
  });

  after(async () => {
    if (absent) return;
    await vscode.workspace
      .getConfiguration('kubeWorkbench')
      .update('readOnlyContexts', undefined, vscode.ConfigurationTarget.Global);
    for (const name of [`drain-free-${id}`, `drain-guarded-${id}`]) {
      await apps()
        .deleteNamespacedDeployment({ namespace: NS, name })
        .catch(() => undefined);
    }
    await policy()
      .deleteNamespacedPodDisruptionBudget({ namespace: NS, name: `drain-guarded-${id}` })
      .catch(() => undefined);
    await core()
      .deleteNamespacedPod({ namespace: NS, name: `drain-bare-${id}`, gracePeriodSeconds: 0 })
      .catch(() => undefined);
    await core()
      .deleteNode({ name: node })
      .catch(() => undefined);
  });

  it('offers cordon and drain on the node item, and cordons and uncordons it', async () => {
    const { tree } = await api();
    const item = tree.getTreeItem(await walk(CONTEXT, 'cluster', 'Nodes', node));
    assert.match(item.contextValue ?? '', /kwb:can-cordon/);
    assert.match(item.contextValue ?? '', /kwb:can-drain/);
    await vscode.commands.executeCommand('kubeWorkbench.cordonNode', target);
    assert.equal(await unschedulable(), true);
    await eventually('the tree showing SchedulingDisabled', async () => {
      const shown = tree.getTreeItem(await walk(CONTEXT, 'cluster', 'Nodes', node));
      return /SchedulingDisabled/.test(String(shown.description)) ? true : undefined;
    });
    await vscode.commands.executeCommand('kubeWorkbench.uncordonNode', target);
    assert.equal(await unschedulable(), false);
  });

  it('refuses cordon and drain on a read-only context and leaves the node as it was', async () => {
    const { guard } = await api();
    const refused: string[] = [];
    const sub = guard.onDidRefuse((r) => refused.push(r.what));
    await vscode.workspace
      .getConfiguration('kubeWorkbench')
      .update('readOnlyContexts', ['kwb-adm*'], vscode.ConfigurationTarget.Global);
    try {
      void vscode.commands.executeCommand('kubeWorkbench.cordonNode', target);
      void vscode.commands.executeCommand('kubeWorkbench.drainNode', target, { confirm: () => Promise.resolve(true) });
      await eventually('two refusals', () => (refused.length >= 2 ? true : undefined), 20_000);
      assert.ok(
        refused.some((w) => /cordoning node/.test(w)) && refused.some((w) => /draining node/.test(w)),
        refused.join('; '),
      );
      assert.equal(await unschedulable(), false);
      const pods = await core().listNamespacedPod({ namespace: NS, fieldSelector: `spec.nodeName=${node}` });
      assert.equal(pods.items.filter((p) => !p.metadata?.deletionTimestamp).length, 3);
    } finally {
      sub.dispose();
      await vscode.workspace
        .getConfiguration('kubeWorkbench')
        .update('readOnlyContexts', undefined, vscode.ConfigurationTarget.Global);
      await vscode.commands.executeCommand('notifications.clearAll');
    }
  });

  it('drains through the Eviction API: the free pod goes, the budget keeps one, the bare pod stays, all said', async () => {
    let asked = { question: '', detail: '' };
    const outcome = await vscode.commands.executeCommand<{ message: string; result: DrainResult } | undefined>(
      'kubeWorkbench.drainNode',
      target,
      {
        force: false,
        deleteEmptyDirData: false,
        timeoutMs: 8_000,
        retryMs: 1_000,
        confirm: (question: string, detail: string) => {
          asked = { question, detail };
          return Promise.resolve(true);
        },
      },
    );
    assert.ok(outcome, 'the drain ran');
    console.log(`      ${outcome.message.split('\n').join('\n      ')}`);
    assert.equal(asked.question, `Drain node "${node}" on context "${CONTEXT}"? It is cordoned and 2 pods evicted.`);
    assert.match(asked.detail, new RegExp(`Left on the node:\\n  team-b/drain-bare-${id}`));
    assert.equal(await unschedulable(), true, 'the node stays cordoned');
    assert.equal(outcome.result.evicted.length, 1);
    assert.match(outcome.result.evicted[0] ?? '', new RegExp(`^team-b/drain-free-${id}-`));
    const left = [...outcome.result.notEvicted];
    assert.ok(
      left.some(([pod, why]) => pod.startsWith(`team-b/drain-guarded-${id}-`) && /disruption budget/i.test(why)),
      JSON.stringify(left),
    );
    assert.ok(
      left.some(([pod, why]) => pod === `team-b/drain-bare-${id}` && /no controller/.test(why)),
      JSON.stringify(left),
    );
    const still = await core().listNamespacedPod({ namespace: NS, fieldSelector: `spec.nodeName=${node}` });
    const names = still.items.filter((p) => !p.metadata?.deletionTimestamp).map((p) => p.metadata?.name ?? '');
    assert.ok(
      names.some((n) => n.startsWith(`drain-guarded-${id}-`)) && names.includes(`drain-bare-${id}`),
      names.join(', '),
    );
    assert.ok(!names.some((n) => n.startsWith(`drain-free-${id}-`)), names.join(', '));
    await vscode.commands.executeCommand('notifications.clearAll');
  });
});
