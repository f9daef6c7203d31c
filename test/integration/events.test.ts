import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { CoreV1Api, type CoreV1Event } from '@kubernetes/client-node';
import { api, clientConfig, clusterAbsentReason, eventually } from './helpers';

const absent = clusterAbsentReason();
const CONTEXT = 'kwb-admin';
const NS = 'team-b';

describe('Events timeline (real cluster)', function () {
  this.timeout(90_000);
  const id = Date.now().toString(36);
  const core = (): CoreV1Api => clientConfig(CONTEXT).makeApiClient(CoreV1Api);

  const event = (
    name: string,
    type: string,
    reason: string,
    about: { kind: string; name: string; uid: string },
  ): CoreV1Event => {
    const now = new Date();
    return {
      metadata: { name, namespace: NS },
      involvedObject: { kind: about.kind, name: about.name, namespace: NS, uid: about.uid, apiVersion: 'v1' },
      type,
      reason,
      message: `made by the events test ${id}\u001b]0;title\u0007`,
      firstTimestamp: now,
      lastTimestamp: now,
      count: 1,
      source: { component: 'kwb-test' },
    };
  };

  async function editorText(title: RegExp, contains: RegExp): Promise<string> {
    return eventually(`a timeline matching ${String(contains)}`, () => {
      const doc = vscode.workspace.textDocuments.find(
        (d) => d.uri.scheme === 'kubeWorkbench-events' && title.test(d.getText()),
      );
      const text = doc?.getText();
      return text && contains.test(text) ? text : undefined;
    });
  }

  before(async function () {
    if (absent) {
      console.log(`SKIP events timeline: ${absent}`);
      this.skip();
    }
    await api();
  });

  it('shows a namespace live, warnings first, and an object only its own events', async () => {
    const configMap = await core().readNamespacedConfigMap({ namespace: NS, name: 'worker-config' });
    const about = { kind: 'ConfigMap', name: 'worker-config', uid: configMap.metadata?.uid ?? '' };
    await vscode.commands.executeCommand('kubeWorkbench.showEvents', { context: CONTEXT, namespace: NS });
    await editorText(/^Events in namespace team-b on kwb-admin/, /\(live · \d+ events?/);

    await core().createNamespacedEvent({
      namespace: NS,
      body: event(`kwb-warn-${id}`, 'Warning', `KwbWarn${id}`, about),
    });
    await core().createNamespacedEvent({
      namespace: NS,
      body: event(`kwb-normal-${id}`, 'Normal', `KwbNormal${id}`, about),
    });
    const text = await editorText(/^Events in namespace team-b/, new RegExp(`KwbNormal${id}`));
    const [warnings, all] = text.split('ALL EVENTS, newest first');
    assert.match(warnings ?? '', new RegExp(`Warning  KwbWarn${id}  ConfigMap/worker-config  made by the events test`));
    assert.doesNotMatch(warnings ?? '', new RegExp(`KwbNormal${id}`));
    assert.match(all ?? '', new RegExp(`KwbWarn${id}`));
    assert.ok(!text.includes('\u001b') && !text.includes('\u0007'), 'no control characters from event text');

    await vscode.commands.executeCommand('kubeWorkbench.showEvents', {
      context: CONTEXT,
      namespace: NS,
      kind: 'Deployment',
      name: 'worker',
    });
    const own = await editorText(/^Events of Deployment "worker"/, /\(live · /);
    assert.doesNotMatch(own, new RegExp(`KwbWarn${id}`), 'another object’s events are not shown');
    await vscode.commands.executeCommand('kubeWorkbench.showEvents', {
      context: CONTEXT,
      namespace: NS,
      kind: 'ConfigMap',
      name: 'worker-config',
    });
    await editorText(/^Events of ConfigMap "worker-config"/, new RegExp(`KwbWarn${id}`));
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });
});
