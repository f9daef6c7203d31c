import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { AppsV1Api, BatchV1Api, CoreV1Api } from '@kubernetes/client-node';
import { api, clientConfig, clusterAbsentReason, eventually, simpleDeployment } from './helpers';
import { walk } from './tree';
import type { Refusal } from '../../src/core/kube/changeGuard';
import { websocketOpener } from '../../src/core/portforward/portForward';
import type { ForwardState } from '../../src/core/portforward/portForward';
import type { TerminalSession } from '../../src/ext/terminals/logTerminal';

const absent = clusterAbsentReason();
const CONTEXT = 'kwb-admin';
const NS = 'demo';

/**
 * The read-only matrix: every path that changes a cluster, driven as users drive it (commands with tree items or
 * targets, the apply service, the core client itself), on a context made read-only. Each must be refused by the
 * guard and leave the cluster as it was.
 */
describe('Read-only contexts refuse every change (real cluster)', function () {
  this.timeout(120_000);
  const id = Date.now().toString(36);
  const deployment = `ro-${id}`;
  const configMap = `ro-${id}`;
  const settings = (): vscode.WorkspaceConfiguration => vscode.workspace.getConfiguration('kubeWorkbench');
  const refusals: Refusal[] = [];
  let subscription: vscode.Disposable | undefined;
  const apps = (): AppsV1Api => clientConfig(CONTEXT).makeApiClient(AppsV1Api);
  const core = (): CoreV1Api => clientConfig(CONTEXT).makeApiClient(CoreV1Api);
  const batch = (): BatchV1Api => clientConfig(CONTEXT).makeApiClient(BatchV1Api);
  const target = { context: CONTEXT, namespace: NS, kind: 'Deployment', name: deployment };
  const cron = { context: CONTEXT, namespace: NS, kind: 'CronJob', name: 'report' };
  const pod = { context: CONTEXT, namespace: NS, name: 'standalone', container: 'main' };

  const readOnly = (on: boolean): Thenable<void> =>
    settings().update('readOnlyContexts', on ? ['kwb-adm*'] : undefined, vscode.ConfigurationTarget.Global);

  /**
   * Starts `act` and waits for the guard to refuse it on our context with words matching `what`. A refused
   * command reports through an error notification whose promise settles only when it is dismissed, so the act
   * is not awaited: the refusal is what is waited for.
   */
  async function refused(what: RegExp, act: () => Thenable<unknown> | Promise<unknown>): Promise<void> {
    const from = refusals.length;
    Promise.resolve(act()).catch(() => undefined);
    await eventually(
      `a refusal matching ${String(what)}`,
      () => {
        const seen = refusals.slice(from);
        if (seen.some((r) => r.context === CONTEXT && what.test(r.what))) return true;
        throw new Error(`refusals seen: ${JSON.stringify(seen)}`);
      },
      20_000,
    );
    await vscode.commands.executeCommand('notifications.clearAll');
  }

  /** The guard's error, recognised by its shape: the test bundle has its own copy of the KubeError class. */
  const isReadOnlyError = (err: unknown): boolean =>
    err instanceof Error && err.name === 'KubeError' && (err as { kind?: unknown }).kind === 'readOnly';

  async function deploymentState(): Promise<string> {
    const d = await apps().readNamespacedDeployment({ namespace: NS, name: deployment });
    return JSON.stringify({
      uid: d.metadata?.uid,
      generation: d.metadata?.generation,
      replicas: d.spec?.replicas,
      paused: d.spec?.paused ?? false,
      image: d.spec?.template.spec?.containers[0]?.image,
      annotations: d.spec?.template.metadata?.annotations ?? {},
    });
  }

  before(async function () {
    if (absent) {
      console.log(`SKIP read-only matrix: ${absent}`);
      this.skip();
    }
    const { guard } = await api();
    subscription = guard.onDidRefuse((r) => refusals.push(r));
    await apps().createNamespacedDeployment({
      namespace: NS,
      body: simpleDeployment(deployment, 'web'),
    });
    await core().createNamespacedConfigMap({
      namespace: NS,
      body: { metadata: { name: configMap }, data: { a: '1' } },
    });
    // The tree must know the objects before the context turns read-only (the nodes are what users right-click).
    await eventually('the Deployment in the tree', () =>
      walk(CONTEXT, NS, 'Workloads', 'Deployments', deployment).catch(() => undefined),
    );
    await eventually('the ConfigMap in the tree', () =>
      walk(CONTEXT, NS, 'Config', 'ConfigMaps', configMap).catch(() => undefined),
    );
    await readOnly(true);
  });

  after(async () => {
    subscription?.dispose();
    if (absent) return;
    await readOnly(false);
    await apps()
      .deleteNamespacedDeployment({ namespace: NS, name: deployment })
      .catch(() => undefined);
    await core()
      .deleteNamespacedConfigMap({ namespace: NS, name: configMap })
      .catch(() => undefined);
  });

  it('refuses tree delete and manifest delete; the objects stay', async () => {
    const uid = (await core().readNamespacedConfigMap({ namespace: NS, name: configMap })).metadata?.uid;
    const node = await walk(CONTEXT, NS, 'Config', 'ConfigMaps', configMap);
    await refused(/deleting ConfigMap/, () => vscode.commands.executeCommand('kubeWorkbench.deleteResource', node));

    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'kwb-ro-')), 'objects.yaml');
    fs.writeFileSync(
      file,
      `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${configMap}\n  namespace: ${NS}\n---\n` +
        `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: ${deployment}\n  namespace: ${NS}\n`,
    );
    const { apply } = await api();
    await refused(/deleting objects/, () =>
      apply.deleteFromManifest([vscode.Uri.file(file)], {
        context: CONTEXT,
        notify: false,
        confirmDelete: () => Promise.resolve(true),
      }),
    );
    assert.equal((await core().readNamespacedConfigMap({ namespace: NS, name: configMap })).metadata?.uid, uid);
    await apps().readNamespacedDeployment({ namespace: NS, name: deployment });
  });

  it('refuses apply, every rollout action, scale and set image; the Deployment is unchanged', async () => {
    const before = await deploymentState();
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'kwb-ro-')), 'deployment.yaml');
    fs.writeFileSync(
      file,
      `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: ${deployment}\n  namespace: ${NS}\nspec:\n  replicas: 3\n` +
        `  selector:\n    matchLabels:\n      app: ${deployment}\n  template:\n    metadata:\n      labels:\n        app: ${deployment}\n` +
        `    spec:\n      containers:\n        - name: web\n          image: nginx:1.29\n`,
    );
    const { apply } = await api();
    await refused(/^applying 1 document/, () =>
      apply.apply([vscode.Uri.file(file)], { context: CONTEXT, notify: false }),
    );
    const run =
      (command: string, ...args: unknown[]) =>
      () =>
        vscode.commands.executeCommand(command, ...args);
    await refused(/^restarting deployment/, run('kubeWorkbench.rolloutRestart', target, { follow: false }));
    await refused(/^pausing deployment/, run('kubeWorkbench.rolloutPause', target));
    await refused(/^resuming deployment/, run('kubeWorkbench.rolloutResume', target));
    await refused(/^rolling back deployment/, run('kubeWorkbench.rolloutUndo', target, { toRevision: 0 }));
    await refused(/^scaling deployment/, run('kubeWorkbench.scaleWorkload', target, { replicas: 5 }));
    const node = await walk(CONTEXT, NS, 'Workloads', 'Deployments', deployment);
    await refused(/^scaling deployment/, run('kubeWorkbench.scaleWorkload', node, { replicas: 6 }));
    await refused(
      /^setting the image of deployment/,
      run('kubeWorkbench.setImage', target, { container: 'web', image: 'nginx:1.30' }),
    );
    assert.equal(await deploymentState(), before);
  });

  it('refuses CronJob run, suspend and resume; no Job is created and suspend is unchanged', async () => {
    const jobsBefore = (await batch().listNamespacedJob({ namespace: NS })).items.length;
    const suspend = (await batch().readNamespacedCronJob({ namespace: NS, name: 'report' })).spec?.suspend;
    const run = (command: string) => () => vscode.commands.executeCommand(command, cron);
    await refused(/^running a Job from cronjob/, run('kubeWorkbench.triggerCronJob'));
    await refused(/^suspending cronjob/, run('kubeWorkbench.suspendCronJob'));
    await refused(/^resuming cronjob/, run('kubeWorkbench.resumeCronJob'));
    assert.equal((await batch().listNamespacedJob({ namespace: NS })).items.length, jobsBefore);
    assert.equal((await batch().readNamespacedCronJob({ namespace: NS, name: 'report' })).spec?.suspend, suspend);
  });

  it('refuses exec, a one-off command, attach and port-forward; no terminal or forward opens', async () => {
    const { streams, portForwards } = await api();
    const terminals = streams.sessions.length;
    const forwards = portForwards.list().length;
    await refused(/^opening a shell/, () => vscode.commands.executeCommand('kubeWorkbench.exec', pod));
    await refused(/running "touch \/tmp\/x"/, () =>
      vscode.commands.executeCommand('kubeWorkbench.execCommand', { ...pod, command: ['touch', '/tmp/x'] }),
    );
    await refused(/^attaching to container/, () => vscode.commands.executeCommand('kubeWorkbench.attach', pod));
    const podNode = await walk(CONTEXT, NS, 'Workloads', 'Pods', 'standalone');
    await refused(/^forwarding a local port/, () =>
      vscode.commands.executeCommand('kubeWorkbench.portForward', podNode, { remotePort: 8080, localPort: 0 }),
    );
    assert.equal(streams.sessions.length, terminals, 'no terminal was opened');
    assert.equal(portForwards.list().length, forwards, 'no forward was started');
  });

  it('refuses on the wire too: a request or connection that skipped the UI check is never sent', async () => {
    const { sessions } = await api();
    const client = sessions.get(CONTEXT).client;
    const before = (await core().readNamespacedConfigMap({ namespace: NS, name: configMap })).metadata?.uid;
    await assert.rejects(
      client.request(`/api/v1/namespaces/${NS}/configmaps/${configMap}`, { method: 'DELETE' }),
      isReadOnlyError,
    );
    await assert.rejects(
      client.request(`/api/v1/namespaces/${NS}/configmaps`, {
        method: 'POST',
        body: JSON.stringify({ metadata: { name: `${configMap}-new` } }),
        contentType: 'application/json',
      }),
      isReadOnlyError,
    );
    await assert.rejects(
      websocketOpener(client)(NS, 'standalone', 8080, () => undefined),
      isReadOnlyError,
    );
    assert.equal((await core().readNamespacedConfigMap({ namespace: NS, name: configMap })).metadata?.uid, before);
    await assert.rejects(core().readNamespacedConfigMap({ namespace: NS, name: `${configMap}-new` }));
    // Reads and server-side dry runs still go through.
    await client.request(`/api/v1/namespaces/${NS}/configmaps/${configMap}`);
    await client.request(`/api/v1/namespaces/${NS}/configmaps/${configMap}`, {
      method: 'DELETE',
      query: { dryRun: 'All' },
    });
    assert.equal((await core().readNamespacedConfigMap({ namespace: NS, name: configMap })).metadata?.uid, before);
  });

  it('stops a forward and cuts an exec terminal opened before the context became read-only', async () => {
    await readOnly(false);
    const { portForwards } = await api();
    const podNode = await walk(CONTEXT, NS, 'Workloads', 'Pods', 'standalone');
    const forward = await vscode.commands.executeCommand<ForwardState | undefined>(
      'kubeWorkbench.portForward',
      podNode,
      {
        remotePort: 8080,
        localPort: 0,
      },
    );
    assert.ok(forward, 'the forward started while the context was writable');
    const shell = await vscode.commands.executeCommand<TerminalSession | undefined>('kubeWorkbench.exec', pod);
    assert.ok(shell, 'the shell opened while the context was writable');
    try {
      await eventually('the shell prompt', () => (shell.output().length > 0 ? true : undefined));
      await readOnly(true);
      await eventually('the forward stopped', () =>
        portForwards.list().some((f) => f.id === forward.id) ? undefined : true,
      );
      assert.equal(await shell.closed, -1);
      assert.match(shell.output(), /Context "kwb-admin" became read-only .*this exec connection was closed/);
    } finally {
      await vscode.commands.executeCommand('kubeWorkbench.stopPortForward', forward.id);
      shell.terminal.dispose();
      await readOnly(true);
    }
  });
});
