import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { api, clusterAbsentReason, eventually } from './helpers';

const absent = clusterAbsentReason();

function fixture(path: string): vscode.Uri {
  const root = vscode.workspace.workspaceFolders?.[0]?.uri;
  assert.ok(root, 'a workspace folder is open');
  return vscode.Uri.joinPath(root, path);
}

async function open(path: string): Promise<vscode.TextDocument> {
  const doc = await vscode.workspace.openTextDocument(fixture(path));
  await vscode.window.showTextDocument(doc);
  return doc;
}

/**
 * Runs only in a window whose folder is not trusted (`integration-tests --untrusted`, part of `npm test`): opening
 * manifests must contact no cluster (no exec plugin runs), read no CRD file of the workspace, and still validate
 * against the extension's own bundled schema.
 */
describe('@untrusted: an untrusted workspace', function () {
  this.timeout(90_000);
  before(function () {
    if (absent) this.skip();
  });

  it('is untrusted, and Kube Workbench still lists the contexts', async () => {
    assert.equal(vscode.workspace.isTrusted, false, 'the folder is not trusted');
    const { kubeconfig } = await api();
    assert.ok(kubeconfig.current.contexts.some((c) => c.name === 'kwb-admin'));
  });

  it('validates a manifest against the bundled schema and contacts no cluster', async () => {
    const { manifests, sessions, kubeconfig } = await api();
    const doc = await open('editor/deployment-bad.yaml');
    const status = await eventually('the schema status', () => manifests.statusOf(doc.uri));
    assert.match(status.label, /bundled/);
    assert.match(status.detail, /untrusted workspace: no cluster is asked/);
    await eventually('a diagnostic from the bundled schema', () =>
      vscode.languages.getDiagnostics(doc.uri).some((d) => /imagePullPolicyy/.test(d.message)) ? true : undefined,
    );
    for (const c of kubeconfig.current.contexts) {
      const session = sessions.peek(c.name);
      assert.notEqual(session?.connectionState.state, 'connected', `context ${c.name} was contacted`);
      assert.equal(session, undefined, `a session was opened for ${c.name}`);
    }
  });

  it('reads no CRD file of the workspace: a custom resource gets no schema from it', async () => {
    const { manifests } = await api();
    const doc = await open('editor/widget-bad.yaml');
    const status = await eventually('the schema status', () => manifests.statusOf(doc.uri));
    assert.doesNotMatch(status.label, /workspace/);
    await new Promise((r) => setTimeout(r, 1500));
    assert.ok(
      !vscode.languages.getDiagnostics(doc.uri).some((d) => d.message.includes('colour')),
      'no problem from the workspace CRD',
    );
  });

  it('runs no kustomize: a kustomization names files to read and remote bases to fetch', async () => {
    const { apply } = await api();
    const folder = fixture(`kustomize-untrusted-${Date.now().toString(36)}`);
    await vscode.workspace.fs.writeFile(
      vscode.Uri.joinPath(folder, 'kustomization.yaml'),
      Buffer.from('resources: [https://example.invalid/base]\n'),
    );
    try {
      await assert.rejects(apply.kustomizeBuild(folder), /kustomize runs only in a trusted workspace/);
      await assert.rejects(apply.apply([folder], { context: 'kwb-admin', notify: false }), /trusted workspace/);
    } finally {
      await Promise.resolve(vscode.workspace.fs.delete(folder, { recursive: true })).catch(() => undefined);
    }
  });

  it('runs no helm template: Render, Validate and Preview Upgrade of a chart refuse, and helm is not started', async () => {
    const { rendered } = await api();
    const chart = fixture('charts/kwb-demo');
    const options = { release: 'kwb-demo', namespace: 'helm-demo', valuesFile: null, context: 'kwb-admin' };
    // A helm that would fail loudly if it ran: the refusal must come first.
    await vscode.workspace
      .getConfiguration('kubeWorkbench')
      .update('helm.path', '/nonexistent/helm', vscode.ConfigurationTarget.Global);
    try {
      await assert.rejects(rendered.renderChart(chart, options), /helm template runs only in a trusted workspace/);
      await assert.rejects(rendered.validateChart(chart, options), /only in a trusted workspace/);
      await assert.rejects(rendered.previewChartUpgrade(chart, options), /only in a trusted workspace/);
      await assert.rejects(
        rendered.validateKustomization(fixture('charts/kwb-demo/Chart.yaml')),
        /kustomization|trusted/,
      );
    } finally {
      await vscode.workspace
        .getConfiguration('kubeWorkbench')
        .update('helm.path', undefined, vscode.ConfigurationTarget.Global);
    }
  });
});
