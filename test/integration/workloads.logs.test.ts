import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { AppsV1Api, CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import { api, clientConfig, clusterAbsentReason, eventually } from './helpers';
import { childrenOf, label, walk } from './tree';
import { Commands } from '../../src/ext/ids';
import type { TerminalSession } from '../../src/ext/terminals/logTerminal';

const absent = clusterAbsentReason();
const CONTEXT = 'kwb-admin';
const NAMESPACE = 'demo';

const kc = (context = CONTEXT): KubeConfig => clientConfig(context);

async function podNames(selector: string, namespace = NAMESPACE): Promise<string[]> {
  const list = await kc().makeApiClient(CoreV1Api).listNamespacedPod({ namespace, labelSelector: selector });
  return list.items
    .filter((p) => !p.metadata?.deletionTimestamp && p.status?.phase === 'Running')
    .map((p) => p.metadata?.name ?? '');
}

function session(result: unknown): TerminalSession {
  const s = result as TerminalSession | undefined;
  assert.ok(s && typeof s.output === 'function', 'the command returns its terminal session');
  return s;
}

function disposeAll(): void {
  void api().then((a) => {
    for (const s of a.streams.sessions) s.terminal.dispose();
  });
}

describe('Logs of pods and workloads', function () {
  this.timeout(120_000);
  const suffix = Date.now().toString(36);
  const deployment = `kwb-logs-${suffix}`;

  before(function () {
    if (absent) this.skip();
  });
  after(async () => {
    disposeAll();
    if (absent) return;
    await kc()
      .makeApiClient(AppsV1Api)
      .deleteNamespacedDeployment({ name: deployment, namespace: NAMESPACE })
      .catch(() => undefined);
  });

  it('follows a Deployment across a rolling update: every pod with its prefix, new pods picked up, old ones marked', async () => {
    const apps = kc().makeApiClient(AppsV1Api);
    await apps.createNamespacedDeployment({
      namespace: NAMESPACE,
      body: {
        metadata: { name: deployment },
        spec: {
          replicas: 2,
          selector: { matchLabels: { app: deployment } },
          template: {
            metadata: { labels: { app: deployment, 'kwb.dev/writes-logs': 'true' }, annotations: { rev: '1' } },
            spec: { containers: [{ name: 'app', image: 'example/app:1' }] },
          },
        },
      },
    });
    const first = await eventually('two running pods', async () => {
      const names = await podNames(`app=${deployment}`);
      return names.length === 2 ? names : undefined;
    });
    const s = session(
      await vscode.commands.executeCommand(Commands.followLogs, {
        context: CONTEXT,
        namespace: NAMESPACE,
        kind: 'Deployment',
        name: deployment,
        options: { tailLines: 5 },
      }),
    );
    await eventually(
      'lines of both pods with their prefixes',
      () => (first.every((p) => s.output().includes(`[${p}/app]`)) ? true : undefined),
      60_000,
    );

    // Rolling update: a new template revision replaces both pods.
    const current = await apps.readNamespacedDeployment({ name: deployment, namespace: NAMESPACE });
    current.spec!.template.metadata!.annotations = { rev: '2' };
    await apps.replaceNamespacedDeployment({ name: deployment, namespace: NAMESPACE, body: current });
    const newPod = await eventually(
      'a new pod of the second revision writing lines into the same terminal',
      async () => {
        const names = (await podNames(`app=${deployment}`)).filter((n) => !first.includes(n));
        return names.find((n) => new RegExp(`\\[${n}/app\\] .*\\S`).test(s.output()));
      },
      90_000,
    );
    assert.match(s.output(), new RegExp(`Pod "${newPod}" started; following its log`));
    await eventually(
      'an old pod marked as ended',
      () => (first.some((p) => s.output().includes(`Pod "${p}" is gone`)) ? true : undefined),
      90_000,
    );
    s.terminal.dispose();
  });

  it('previous container logs: a pod that restarted shows "1 restart" and its previous instance\'s log', async () => {
    const core = kc().makeApiClient(CoreV1Api);
    const name = `kwb-restarts-${suffix}`;
    // The local cluster's kwok stage crashes and restarts each container of such a pod once (status through the
    // API server: restartCount 1, lastState.terminated), and kwok serves the first instance's log as previous.
    await core.createNamespacedPod({
      namespace: NAMESPACE,
      body: {
        metadata: { name, labels: { 'kwb.dev/restart-once': 'true' } },
        spec: { containers: [{ name: 'app', image: 'example/app:1' }] },
      },
    });
    try {
      const pods = await walk(CONTEXT, NAMESPACE, 'Workloads', 'Pods');
      const status = await eventually(
        'the pod in the tree with its restart',
        async () => {
          const node = (await childrenOf(pods)).find((k) => label(k) === name);
          return node?.type === 'resource' && /\b1 restart\b/.test(node.row.status) ? node.row.status : undefined;
        },
        60_000,
      );
      assert.match(status, /^Running 1\/1 · 1 restart$/);

      const previous = await vscode.commands.executeCommand<vscode.TextDocument>(Commands.logsWithOptions, {
        context: CONTEXT,
        namespace: NAMESPACE,
        kind: 'Pod',
        name,
        target: 'document',
        options: { previous: true, follow: false },
      });
      const previousText = await eventually(
        "the previous instance's lines",
        () => (/fatal: simulated crash/.test(previous.getText()) ? previous.getText() : undefined),
        30_000,
      );
      assert.match(
        previousText,
        new RegExp(`starting app in pod ${NAMESPACE}/${name} \\(image example/app:1\\), first instance`),
      );
      assert.doesNotMatch(previousText, /restarted after the first instance/);

      const current = await vscode.commands.executeCommand<vscode.TextDocument>(Commands.openLogs, {
        context: CONTEXT,
        namespace: NAMESPACE,
        kind: 'Pod',
        name,
        options: { follow: false },
      });
      const currentText = await eventually(
        "the current instance's lines",
        () => (/app: ready/.test(current.getText()) ? current.getText() : undefined),
        30_000,
      );
      assert.match(currentText, /restarted after the first instance exited with code 1/);
      assert.doesNotMatch(currentText, /fatal: simulated crash|first instance\)/);
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    } finally {
      await core.deleteNamespacedPod({ name, namespace: NAMESPACE, gracePeriodSeconds: 0 }).catch(() => undefined);
    }
  });

  it('previous container logs of a container that never restarted: the message says so', async () => {
    // Pods without the restart label have no previous instance (kwok's Logs object names no previousLogsFile,
    // like a kubelet with no terminated container): the request must fail with a message naming the cause.
    const s = session(
      await vscode.commands.executeCommand(Commands.followLogs, {
        context: CONTEXT,
        namespace: NAMESPACE,
        kind: 'Pod',
        name: 'standalone',
        container: 'main',
        options: { previous: true },
      }),
    );
    await eventually(
      'the error in the terminal',
      () => (/has no previous \(terminated\) instance/.test(s.output()) ? true : undefined),
      30_000,
    );
    s.terminal.dispose();
  });

  it('logs with options: one container, timestamps, a time window, in a document', async () => {
    const doc = await vscode.commands.executeCommand<vscode.TextDocument>(Commands.logsWithOptions, {
      context: CONTEXT,
      namespace: NAMESPACE,
      kind: 'Pod',
      name: 'standalone',
      container: 'sidecar',
      target: 'document',
      options: { follow: false, timestamps: true, sinceSeconds: 3600 },
    });
    assert.equal(doc.languageId, 'kubernetes-log');
    const text = await eventually(
      'timestamped lines of the sidecar',
      () => (/^\d{4}-\d{2}-\d{2}T\S+Z \S/m.test(doc.getText()) ? doc.getText() : undefined),
      30_000,
    );
    assert.doesNotMatch(text, /\[standalone\/main\]/, 'only the chosen container');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('opens a pod log as a read-only kubernetes-log document with container prefixes', async () => {
    const doc = await vscode.commands.executeCommand<vscode.TextDocument>(Commands.openLogs, {
      context: CONTEXT,
      namespace: NAMESPACE,
      kind: 'Pod',
      name: 'standalone',
      options: { follow: false, tailLines: 3 },
    });
    assert.equal(doc.languageId, 'kubernetes-log');
    await eventually(
      'lines of both containers',
      () =>
        /^\[standalone\/main\] /m.test(doc.getText()) && /^\[standalone\/sidecar\] /m.test(doc.getText())
          ? true
          : undefined,
      30_000,
    );
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });
});

describe('Exec into containers', function () {
  this.timeout(120_000);
  before(function () {
    if (absent) this.skip();
  });
  after(() => disposeAll());

  it('opens a shell that runs commands, follows resizes and reports its exit code', async () => {
    const s = session(
      await vscode.commands.executeCommand(Commands.exec, {
        context: CONTEXT,
        namespace: NAMESPACE,
        name: 'standalone',
        container: 'main',
      }),
    );
    await new Promise((r) => setTimeout(r, 500));
    s.pty.handleInput?.('echo kwb-$((40+2)) $POD_NAME\r');
    await eventually('the command output', () => (s.output().includes('kwb-42 standalone') ? true : undefined));
    let polls = 0;
    await eventually('the new terminal size', async () => {
      if (s.output().includes('33 111')) return true;
      // VS Code also sizes the terminal to its panel (when the layout changes): resize and ask again now and then.
      if (polls++ % 20 === 0) {
        s.pty.setDimensions?.({ columns: 111, rows: 33 });
        await new Promise((r) => setTimeout(r, 300));
        s.pty.handleInput?.('stty size\r');
      }
      throw new Error(`terminal output ends with ${JSON.stringify(s.output().slice(-300))}`);
    });
    s.pty.handleInput?.('exit 7\r');
    assert.equal(await s.closed, 7);
  });

  it('runs a one-off command and shows its output and exit code', async () => {
    const s = session(
      await vscode.commands.executeCommand(Commands.execCommand, {
        context: CONTEXT,
        namespace: NAMESPACE,
        name: 'standalone',
        container: 'sidecar',
        command: ['sh', '-c', 'echo one-off in $PWD; sleep 0.5; exit 3'],
      }),
    );
    assert.equal(await s.closed, 3);
    assert.match(s.output(), /one-off in \S*standalone/);
    assert.match(s.output(), /exited with code 3/);
  });

  it('names the valid containers when the container does not exist', async () => {
    const s = session(
      await vscode.commands.executeCommand(Commands.exec, {
        context: CONTEXT,
        namespace: NAMESPACE,
        name: 'standalone',
        container: 'nope',
      }),
    );
    assert.equal(await s.closed, -1);
    assert.match(s.output(), /no container "nope"; its containers are: main, sidecar/);
  });

  it('says the container is not running when the pod has not started', async () => {
    const core = kc().makeApiClient(CoreV1Api);
    const name = `kwb-pending-${Date.now().toString(36)}`;
    // No node has this label: the pod stays Pending, its container never starts.
    await core.createNamespacedPod({
      namespace: NAMESPACE,
      body: {
        metadata: { name },
        spec: {
          nodeSelector: { 'kwb.dev/no-such-node': 'true' },
          containers: [{ name: 'app', image: 'example/app:1' }],
        },
      },
    });
    try {
      const s = session(
        await vscode.commands.executeCommand(Commands.exec, {
          context: CONTEXT,
          namespace: NAMESPACE,
          name,
          container: 'app',
        }),
      );
      assert.equal(await s.closed, -1);
      assert.match(
        s.output(),
        /Container "app" of pod "kwb-pending-\w+" is not running: it is not started \(pod Pending\)/,
      );
    } finally {
      await core.deleteNamespacedPod({ name, namespace: NAMESPACE, gracePeriodSeconds: 0 }).catch(() => undefined);
    }
  });

  it('says which RBAC permission is missing when exec is forbidden', async () => {
    const pods = await kc()
      .makeApiClient(CoreV1Api)
      .listNamespacedPod({ namespace: 'team-a', labelSelector: 'app=api' });
    const pod = pods.items.find((p) => p.status?.phase === 'Running')?.metadata?.name;
    assert.ok(pod, 'a running api pod in team-a');
    const s = session(
      await vscode.commands.executeCommand(Commands.exec, {
        context: 'kwb-viewer',
        namespace: 'team-a',
        name: pod,
        container: 'api',
      }),
    );
    assert.equal(await s.closed, -1);
    assert.match(
      s.output(),
      /forbidden on context "kwb-viewer": it needs the RBAC permission "create" on "pods\/exec"/,
    );
  });
});

describe('Attach to a running container', function () {
  this.timeout(120_000);
  before(function () {
    if (absent) this.skip();
  });
  after(() => disposeAll());

  const attach = async (target: Record<string, unknown>): Promise<TerminalSession> =>
    session(await vscode.commands.executeCommand(Commands.attach, target));

  it('shows what the running process writes from now on; closing the terminal detaches and leaves it running', async () => {
    const core = kc().makeApiClient(CoreV1Api);
    const before = await core.readNamespacedPod({ name: 'standalone', namespace: NAMESPACE });
    const restarts = before.status?.containerStatuses?.find((c) => c.name === 'main')?.restartCount;
    // The pod is labelled kwb.dev/writes-logs: its containers write a line every 2 s.
    const s = await attach({ context: CONTEXT, namespace: NAMESPACE, name: 'standalone', container: 'main' });
    assert.equal(s.kind, 'attach');
    await eventually(
      'new lines of the process',
      () => (/GET \/healthz 200 tick=\d+ pod=standalone\r\n/.test(s.output()) ? true : undefined),
      30_000,
    );
    assert.match(s.output(), /Closing this terminal detaches; the process keeps running/);
    assert.match(s.output(), /Attached to the running process of container "main" of pod "standalone" \(no TTY\)/);
    // Attach starts at the end of the output: the lines written at start-up are not repeated.
    assert.doesNotMatch(s.output(), /starting main in pod/);

    s.terminal.dispose();
    assert.equal(await s.closed, undefined, 'detached by the user, not ended by the process');
    const after = await core.readNamespacedPod({ name: 'standalone', namespace: NAMESPACE });
    const main = after.status?.containerStatuses?.find((c) => c.name === 'main');
    assert.ok(main?.state?.running, 'the container still runs after the detach');
    assert.equal(main?.restartCount, restarts);

    // Attaching again works: the process is still there.
    const again = await attach({ context: CONTEXT, namespace: NAMESPACE, name: 'standalone', container: 'main' });
    await eventually(
      'new lines after attaching again',
      () => (/tick=\d+ pod=standalone/.test(again.output()) ? true : undefined),
      30_000,
    );
    again.terminal.dispose();
  });

  it('from the palette, attaches to the pod whose document is in the active editor', async () => {
    const pods = await walk(CONTEXT, NAMESPACE, 'Workloads', 'Pods');
    const node = await eventually('a pod of web', async () =>
      (await childrenOf(pods)).find((k) => k.type === 'resource' && /^web-/.test(label(k))),
    );
    await vscode.commands.executeCommand(Commands.openResource, node);
    await eventually('the pod document', () =>
      vscode.window.activeTextEditor?.document.uri.path.endsWith(`/pods/${NAMESPACE}/${label(node)}.yaml`)
        ? true
        : undefined,
    );
    // No argument, as from the palette; the pod has one container, so nothing is asked.
    const s = session(await vscode.commands.executeCommand(Commands.attach));
    await eventually('the banner', () =>
      s.output().includes(`Attached to the running process of container "nginx" of pod "${label(node)}"`)
        ? true
        : undefined,
    );
    s.terminal.dispose();
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('names the valid containers when the container does not exist', async () => {
    const s = await attach({ context: CONTEXT, namespace: NAMESPACE, name: 'standalone', container: 'nope' });
    assert.equal(await s.closed, -1);
    assert.match(s.output(), /no container "nope"; its containers are: main, sidecar/);
  });

  it('says which RBAC permission is missing when attach is forbidden', async () => {
    const pods = await kc()
      .makeApiClient(CoreV1Api)
      .listNamespacedPod({ namespace: 'team-a', labelSelector: 'app=api' });
    const pod = pods.items.find((p) => p.status?.phase === 'Running')?.metadata?.name;
    assert.ok(pod, 'a running api pod in team-a');
    const s = await attach({ context: 'kwb-viewer', namespace: 'team-a', name: pod, container: 'api' });
    assert.equal(await s.closed, -1);
    assert.match(
      s.output(),
      /Attach to container "api" of pod "[\w-]+" in namespace "team-a" is forbidden on context "kwb-viewer": it needs the RBAC permission "create" on "pods\/attach"/,
    );
  });
});
