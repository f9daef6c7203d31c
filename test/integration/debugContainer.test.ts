import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { CoreV1Api } from '@kubernetes/client-node';
import { api, clientConfig, clusterAbsentReason, eventually } from './helpers';
import type { TerminalSession } from '../../src/ext/terminals/logTerminal';

const absent = clusterAbsentReason();
const CONTEXT = 'kwb-admin';
const NS = 'demo';

describe('Debug with an ephemeral container (real cluster)', function () {
  this.timeout(90_000);
  const pod = `debug-me-${Date.now().toString(36)}`;
  const core = (): CoreV1Api => clientConfig(CONTEXT).makeApiClient(CoreV1Api);

  before(async function () {
    if (absent) {
      console.log(`SKIP debug container: ${absent}`);
      this.skip();
    }
    await api();
    await core().createNamespacedPod({
      namespace: NS,
      body: { metadata: { name: pod }, spec: { containers: [{ name: 'app', image: 'nginx:1.27' }] } },
    });
    await eventually('the pod running', async () =>
      (await core().readNamespacedPod({ namespace: NS, name: pod })).status?.phase === 'Running' ? true : undefined,
    );
  });

  after(async () => {
    if (absent) return;
    await vscode.workspace
      .getConfiguration('kubeWorkbench')
      .update('readOnlyContexts', undefined, vscode.ConfigurationTarget.Global);
    await core()
      .deleteNamespacedPod({ namespace: NS, name: pod, gracePeriodSeconds: 0 })
      .catch(() => undefined);
  });

  it('adds a debugger targeting a container, waits for it to run and opens a terminal attached to it', async () => {
    const session = await vscode.commands.executeCommand<TerminalSession | undefined>('kubeWorkbench.debugContainer', {
      context: CONTEXT,
      namespace: NS,
      name: pod,
      image: 'busybox:1.36',
      targetContainer: 'app',
    });
    assert.ok(session, 'a terminal session');
    const live = await core().readNamespacedPod({ namespace: NS, name: pod });
    const debuggers = live.spec?.ephemeralContainers ?? [];
    assert.equal(debuggers.length, 1);
    const name = debuggers[0]!.name;
    assert.match(name, /^debugger-[a-z0-9]{5}$/);
    assert.equal(debuggers[0]!.image, 'busybox:1.36');
    assert.equal(debuggers[0]!.targetContainerName, 'app');
    assert.ok(live.status?.ephemeralContainerStatuses?.find((s) => s.name === name)?.state?.running);
    await eventually('the attach banner', () => {
      if (
        session.output().includes(`Attached to the running process of container "${name}" of pod "${pod}": its output`)
      )
        return true;
      throw new Error(`terminal output: ${JSON.stringify(session.output())}`);
    });
    session.terminal.dispose();
  });

  it('is refused on a read-only context and adds nothing', async () => {
    const { streams } = await api();
    await vscode.workspace
      .getConfiguration('kubeWorkbench')
      .update('readOnlyContexts', ['kwb-admin'], vscode.ConfigurationTarget.Global);
    await assert.rejects(
      streams.debug({
        context: CONTEXT,
        namespace: NS,
        kind: 'Pod',
        name: pod,
        image: 'busybox:1.36',
        targetContainer: '',
      }),
      /read-only in Kube Workbench/,
    );
    const live = await core().readNamespacedPod({ namespace: NS, name: pod });
    assert.equal(live.spec?.ephemeralContainers?.length, 1, 'still only the first debugger');
  });
});
