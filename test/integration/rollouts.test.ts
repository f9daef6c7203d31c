import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { AppsV1Api, BatchV1Api, type KubeConfig } from '@kubernetes/client-node';
import { clientConfig, clusterAbsentReason, eventually, unschedulableDeployment } from './helpers';
import { walk } from './tree';
import type { ActionResult } from '../../src/ext/rollout/rolloutCommands';
import { ClusterClient, type RequestOptions } from '../../src/core/kube/clusterClient';
import { ADMIT_EVERYTHING } from '../../src/core/kube/changeGuard';
import { KubeError } from '../../src/core/kube/errors';
import type { ObjectRef } from '../../src/core/resources/objectRef';
import { undo } from '../../src/core/rollout/rolloutApi';
import { followRollout, type RolloutSnapshot } from '../../src/core/rollout/rolloutWatch';

const absent = clusterAbsentReason();

const kubeconfig = (): KubeConfig => clientConfig('kwb-admin');

const NS = 'demo';

const deploymentRef = (name: string): ObjectRef => ({
  context: 'kwb-admin',
  group: 'apps',
  version: 'v1',
  plural: 'deployments',
  kind: 'Deployment',
  namespace: NS,
  name,
});

describe('Rollouts, scaling and CronJobs (real cluster)', function () {
  this.timeout(120_000);
  const name = `rollout-${Date.now().toString(36)}`;
  const target = { context: 'kwb-admin', namespace: NS, kind: 'Deployment', name };
  let apps: AppsV1Api;

  before(async function () {
    if (absent) {
      console.log(`SKIP Rollouts: ${absent}`);
      this.skip();
    }
    apps = kubeconfig().makeApiClient(AppsV1Api);
    await apps.createNamespacedDeployment({
      namespace: NS,
      body: {
        metadata: { name, labels: { app: name }, annotations: { 'kubernetes.io/change-cause': 'created at 1.27' } },
        spec: {
          replicas: 2,
          selector: { matchLabels: { app: name } },
          template: {
            metadata: { labels: { app: name } },
            spec: { containers: [{ name: 'web', image: 'nginx:1.27', ports: [{ name: 'http', containerPort: 80 }] }] },
          },
        },
      },
    });
  });

  after(async () => {
    if (!absent) await apps.deleteNamespacedDeployment({ namespace: NS, name }).catch(() => undefined);
  });

  async function image(): Promise<string | undefined> {
    const d = await apps.readNamespacedDeployment({ namespace: NS, name });
    return d.spec?.template.spec?.containers[0]?.image;
  }

  it('sets an image and follows the rollout to completion', async () => {
    const result = await vscode.commands.executeCommand<ActionResult | undefined>('kubeWorkbench.setImage', target, {
      container: 'web',
      image: 'nginx:1.28',
    });
    assert.equal(result?.message, `deployment.apps/${name} image updated`);
    assert.equal(result?.rollout?.outcome, 'done', JSON.stringify(result?.rollout));
    assert.equal(result?.rollout?.message, `deployment "${name}" successfully rolled out`);
    assert.equal(await image(), 'nginx:1.28');
  });

  it('restarts with status to completion', async () => {
    const result = await vscode.commands.executeCommand<ActionResult | undefined>(
      'kubeWorkbench.rolloutRestart',
      target,
    );
    assert.equal(result?.message, `deployment.apps/${name} restarted`);
    assert.equal(result?.rollout?.outcome, 'done', JSON.stringify(result?.rollout));
    const d = await apps.readNamespacedDeployment({ namespace: NS, name });
    assert.ok(d.spec?.template.metadata?.annotations?.['kubectl.kubernetes.io/restartedAt']);
    assert.equal(d.status?.updatedReplicas, 2);
  });

  it('lists the history with change causes and opens a diff of two revisions', async () => {
    const revisions = await vscode.commands.executeCommand<{ revision: number; changeCause?: string }[]>(
      'kubeWorkbench.rolloutHistory',
      target,
      { compare: [1, 2] },
    );
    assert.deepEqual(
      revisions?.map((r) => r.revision),
      [1, 2, 3],
    );
    assert.equal(revisions?.[0]?.changeCause, 'created at 1.27');
    const diff = await eventually('the revision diff', () => {
      const tabs = vscode.window.tabGroups.all.flatMap((g) => g.tabs);
      return tabs.find((t) => t.input instanceof vscode.TabInputTextDiff);
    });
    const input = diff.input as vscode.TabInputTextDiff;
    const left = await vscode.workspace.openTextDocument(input.original);
    const right = await vscode.workspace.openTextDocument(input.modified);
    assert.match(left.getText(), /image: nginx:1\.27/);
    assert.match(right.getText(), /image: nginx:1\.28/);
    await vscode.window.tabGroups.close(diff);
  });

  it('undoes to a chosen revision with status to completion, then to the previous one', async () => {
    const back = await vscode.commands.executeCommand<ActionResult | undefined>('kubeWorkbench.rolloutUndo', target, {
      toRevision: 1,
    });
    assert.equal(back?.message, `deployment.apps/${name} rolled back`);
    assert.equal(back?.rollout?.outcome, 'done', JSON.stringify(back?.rollout));
    assert.equal(await image(), 'nginx:1.27');
    // Undo without a revision goes to the previous one (3: nginx:1.28 with the restart annotation).
    const previous = await vscode.commands.executeCommand<ActionResult | undefined>(
      'kubeWorkbench.rolloutUndo',
      target,
      {
        toRevision: 0,
      },
    );
    assert.equal(previous?.rollout?.outcome, 'done', JSON.stringify(previous?.rollout));
    assert.equal(await image(), 'nginx:1.28');
  });

  it('undo does not overwrite a change made while it was being prepared (resourceVersion precondition)', async () => {
    const kc = kubeconfig();
    const client = new ClusterClient('kwb-admin', kc, ADMIT_EVERYTHING);
    const ref = deploymentRef(name);
    // Someone else changes the image between undo's read of the history and its patch.
    const racing = {
      getJson: async <T>(path: string, options: RequestOptions = {}, what?: string): Promise<T> => {
        if (options.method === 'PATCH') {
          await apps.patchNamespacedDeployment({
            namespace: NS,
            name,
            body: [{ op: 'replace', path: '/spec/template/spec/containers/0/image', value: 'nginx:1.29' }],
          });
        }
        return client.getJson<T>(path, options, what);
      },
    };
    try {
      await assert.rejects(
        undo(racing, ref),
        (err: unknown) =>
          err instanceof KubeError && err.kind === 'conflict' && /changed by someone else/.test(err.message),
      );
      assert.equal(await image(), 'nginx:1.29', 'the concurrent change is kept');
      const settled = await vscode.commands.executeCommand<ActionResult | undefined>(
        'kubeWorkbench.rolloutStatus',
        target,
      );
      assert.equal(settled?.rollout?.outcome, 'done');
    } finally {
      client.dispose();
    }
  });

  it('refuses to restart a paused deployment (nothing changes), then resumes', async () => {
    const paused = await vscode.commands.executeCommand<ActionResult | undefined>('kubeWorkbench.rolloutPause', target);
    assert.equal(paused?.message, `deployment.apps/${name} paused`);
    const before = (await apps.readNamespacedDeployment({ namespace: NS, name })).metadata?.generation;
    const refused = await vscode.commands.executeCommand<ActionResult | undefined>(
      'kubeWorkbench.rolloutRestart',
      target,
    );
    assert.equal(refused?.refused, true);
    assert.match(
      refused?.message ?? '',
      new RegExp(`deployments\\.apps "${name}" can't restart paused deployment \\(run rollout resume first\\)$`),
    );
    assert.equal((await apps.readNamespacedDeployment({ namespace: NS, name })).metadata?.generation, before);
    const resumed = await vscode.commands.executeCommand<ActionResult | undefined>(
      'kubeWorkbench.rolloutResume',
      target,
    );
    assert.equal(resumed?.rollout?.outcome, 'done');
    assert.notEqual((await apps.readNamespacedDeployment({ namespace: NS, name })).spec?.paused, true);
  });

  it('scales from the tree item, the count passed in', async () => {
    const node = await walk('kwb-admin', NS, 'Workloads', 'Deployments', name);
    const result = await vscode.commands.executeCommand<ActionResult | undefined>('kubeWorkbench.scaleWorkload', node, {
      replicas: 4,
    });
    assert.equal(result?.message, `deployment.apps/${name} scaled`);
    assert.equal((await apps.readNamespacedDeployment({ namespace: NS, name })).spec?.replicas, 4);
    await eventually(
      '4 ready replicas',
      async () =>
        (await apps.readNamespacedDeployment({ namespace: NS, name })).status?.readyReplicas === 4 ? true : undefined,
      60_000,
    );
  });

  it('a StatefulSet: set image, then undo through its ControllerRevisions, each followed to completion', async () => {
    const sts = `${name}-db`;
    const readImage = async (): Promise<string | undefined> =>
      (await apps.readNamespacedStatefulSet({ namespace: NS, name: sts })).spec?.template.spec?.containers[0]?.image;
    await apps.createNamespacedStatefulSet({
      namespace: NS,
      body: {
        metadata: { name: sts },
        spec: {
          replicas: 2,
          serviceName: sts,
          selector: { matchLabels: { app: sts } },
          template: {
            metadata: { labels: { app: sts } },
            spec: { containers: [{ name: 'db', image: 'postgres:16' }] },
          },
        },
      },
    });
    try {
      const stsTarget = { context: 'kwb-admin', namespace: NS, kind: 'StatefulSet', name: sts };
      const first = await vscode.commands.executeCommand<ActionResult | undefined>(
        'kubeWorkbench.rolloutStatus',
        stsTarget,
      );
      assert.equal(first?.rollout?.outcome, 'done', JSON.stringify(first?.rollout));
      const set = await vscode.commands.executeCommand<ActionResult | undefined>('kubeWorkbench.setImage', stsTarget, {
        container: 'db',
        image: 'postgres:17',
      });
      assert.equal(set?.rollout?.outcome, 'done', JSON.stringify(set?.rollout));
      // What kubectl says for the API server's default strategy (RollingUpdate with partition 0).
      assert.equal(set?.rollout?.message, 'partitioned roll out complete: 2 new pods have been updated...');
      assert.equal(await readImage(), 'postgres:17');
      const back = await vscode.commands.executeCommand<ActionResult | undefined>(
        'kubeWorkbench.rolloutUndo',
        stsTarget,
        {
          toRevision: 0,
        },
      );
      assert.equal(back?.message, `statefulset.apps/${sts} rolled back`);
      assert.equal(back?.rollout?.outcome, 'done', JSON.stringify(back?.rollout));
      assert.equal(await readImage(), 'postgres:16');
    } finally {
      await apps.deleteNamespacedStatefulSet({ namespace: NS, name: sts }).catch(() => undefined);
    }
  });

  it('a rollout that cannot progress: times out, then fails on its progress deadline naming the failing pods', async () => {
    const stuck = `${name}-stuck`;
    await apps.createNamespacedDeployment({ namespace: NS, body: unschedulableDeployment(stuck, 3) });
    try {
      const stuckTarget = { context: 'kwb-admin', namespace: NS, kind: 'Deployment', name: stuck };
      const waited = await vscode.commands.executeCommand<ActionResult | undefined>(
        'kubeWorkbench.rolloutStatus',
        stuckTarget,
        {
          timeoutMs: 1,
        },
      );
      assert.equal(waited?.rollout?.outcome, 'timeout', JSON.stringify(waited?.rollout));
      assert.match(waited?.rollout?.message ?? '', /^timed out waiting for the condition/);
      const failed = await eventually(
        'the progress deadline to be exceeded',
        async () => {
          const r = await vscode.commands.executeCommand<ActionResult | undefined>(
            'kubeWorkbench.rolloutStatus',
            stuckTarget,
            {
              timeoutMs: 1,
            },
          );
          return r?.rollout?.outcome === 'failed' ? r.rollout : undefined;
        },
        60_000,
      );
      assert.equal(failed.message, `deployment "${stuck}" exceeded its progress deadline`);
      const pods = 'failingPods' in failed ? failed.failingPods : [];
      assert.match(pods[0]?.name ?? '', new RegExp(`^${stuck}-`));
      assert.match(pods[0]?.problem ?? '', /^Unschedulable/);
      assert.match(pods[0]?.events.join('\n') ?? '', /FailedScheduling/);
    } finally {
      await apps.deleteNamespacedDeployment({ namespace: NS, name: stuck }).catch(() => undefined);
    }
  });

  it('follows by watching, not polling: one read, then watches; the failing pod and its events arrive live; cancel stops every request', async () => {
    const stuck = `${name}-watched`;
    await apps.createNamespacedDeployment({ namespace: NS, body: unschedulableDeployment(stuck) });
    const client = new ClusterClient('kwb-admin', kubeconfig(), ADMIT_EVERYTHING);
    try {
      const requests: string[] = [];
      const describeRequest = (kind: string, path: string, options: RequestOptions = {}): string => {
        const query = Object.entries(options.query ?? {})
          .filter(([k, v]) => v !== undefined && ['watch', 'fieldSelector', 'labelSelector'].includes(k))
          .map(([k, v]) => `${k}=${String(v)}`)
          .join('&');
        return `${kind} ${path}${query ? `?${query}` : ''}`;
      };
      const counting = {
        getJson: <T>(path: string, options?: RequestOptions, what?: string): Promise<T> => {
          requests.push(describeRequest('GET', path, options));
          return client.getJson<T>(path, options, what);
        },
        getList: <T>(
          path: string,
          options: RequestOptions,
          onItem: (item: unknown) => void,
          what?: string,
        ): Promise<T> => {
          requests.push(describeRequest('GET', path, options));
          return client.getList<T>(path, options, onItem, what);
        },
        stream: (
          path: string,
          options: RequestOptions & { idleTimeoutMs?: number },
          onChunk: (chunk: Buffer) => void,
          what?: string,
        ): Promise<void> => {
          requests.push(describeRequest('WATCH', path, options));
          return client.stream(path, options, onChunk, what);
        },
      };
      const ref = deploymentRef(stuck);
      const abort = new AbortController();
      const updates: RolloutSnapshot[] = [];
      const outcome = await followRollout(counting, ref, {
        signal: abort.signal,
        onUpdate: (snapshot) => {
          updates.push(snapshot);
          // Cancel once the failing pod and its warning event have come in through the watches.
          if (snapshot.failingPods[0]?.events.some((e) => e.startsWith('FailedScheduling'))) abort.abort();
        },
      });
      assert.equal(outcome.outcome, 'cancelled', JSON.stringify(outcome));
      const last = updates.at(-1);
      assert.match(last?.failingPods[0]?.name ?? '', new RegExp(`^${stuck}-`));
      assert.match(last?.failingPods[0]?.problem ?? '', /^Unschedulable/);
      const objectPath = `/apis/apps/v1/namespaces/${NS}/deployments/${stuck}`;
      assert.equal(requests.filter((r) => r === `GET ${objectPath}`).length, 1, requests.join('\n'));
      assert.ok(
        requests.includes(
          `WATCH /apis/apps/v1/namespaces/${NS}/deployments?fieldSelector=metadata.name=${stuck}&watch=1`,
        ),
        requests.join('\n'),
      );
      assert.ok(
        requests.some((r) => r.startsWith(`WATCH /api/v1/namespaces/${NS}/events?fieldSelector=involvedObject.uid=`)),
        requests.join('\n'),
      );
      // Nothing is asked of the server after the cancel: no poll, no reconnect.
      const seen = requests.length;
      await new Promise((r) => setTimeout(r, 2_500));
      assert.equal(requests.length, seen, requests.slice(seen).join('\n'));
    } finally {
      client.dispose();
      await apps.deleteNamespacedDeployment({ namespace: NS, name: stuck }).catch(() => undefined);
    }
  });

  it('runs a CronJob now, suspends and resumes it', async () => {
    const batch = kubeconfig().makeApiClient(BatchV1Api);
    const cron = { context: 'kwb-admin', namespace: NS, kind: 'CronJob', name: 'report' };
    const run = await vscode.commands.executeCommand<{ job: string } | undefined>('kubeWorkbench.triggerCronJob', cron);
    const jobName = run?.job ?? '';
    assert.ok(jobName.startsWith('report-manual-'), JSON.stringify(run));
    try {
      const job = await batch.readNamespacedJob({ namespace: NS, name: jobName });
      assert.equal(job.metadata?.ownerReferences?.[0]?.name, 'report');
      assert.equal(job.metadata?.annotations?.['cronjob.kubernetes.io/instantiate'], 'manual');
      await vscode.commands.executeCommand('kubeWorkbench.suspendCronJob', cron);
      assert.equal((await batch.readNamespacedCronJob({ namespace: NS, name: 'report' })).spec?.suspend, true);
    } finally {
      await vscode.commands.executeCommand('kubeWorkbench.resumeCronJob', cron);
      await batch
        .deleteNamespacedJob({ namespace: NS, name: jobName, propagationPolicy: 'Background' })
        .catch(() => undefined);
    }
    assert.equal((await batch.readNamespacedCronJob({ namespace: NS, name: 'report' })).spec?.suspend, false);
  });
});
