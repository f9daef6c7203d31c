import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { AppsV1Api, CoreV1Api } from '@kubernetes/client-node';
import { api, clientConfig, clusterAbsentReason } from './helpers';

const absent = clusterAbsentReason();
const CONTEXT = 'kwb-admin';
/** The release the runner seeds (scripts/helm.mjs): kwb-demo in helm-demo, revision 2 ("hello again", 2 replicas). */
const NS = 'helm-demo';
const RELEASE = 'kwb-demo';
const options = { release: RELEASE, namespace: NS, valuesFile: null, context: CONTEXT };

function chartUri(...rest: string[]): vscode.Uri {
  const root = vscode.workspace.workspaceFolders?.[0]?.uri;
  assert.ok(root, 'a workspace folder');
  return vscode.Uri.joinPath(root, 'charts', 'kwb-demo', ...rest);
}

/** What the cluster holds of the release: its records (name and resourceVersion), the ConfigMap and the Deployment. */
async function releaseState(): Promise<string> {
  const core = clientConfig(CONTEXT).makeApiClient(CoreV1Api);
  const apps = clientConfig(CONTEXT).makeApiClient(AppsV1Api);
  const records = await core.listNamespacedSecret({ namespace: NS, labelSelector: `owner=helm,name=${RELEASE}` });
  const cm = await core.readNamespacedConfigMap({ namespace: NS, name: `${RELEASE}-config` });
  const deploy = await apps.readNamespacedDeployment({ namespace: NS, name: `${RELEASE}-web` });
  return JSON.stringify({
    records: records.items.map((s) => `${s.metadata?.name ?? ''}@${s.metadata?.resourceVersion ?? ''}`).sort(),
    cm: `${cm.metadata?.resourceVersion ?? ''} ${JSON.stringify(cm.data)}`,
    deploy: `${deploy.metadata?.resourceVersion ?? ''} ${deploy.spec?.replicas ?? ''}`,
  });
}

/**
 * Charts in the workspace (test/fixtures/workspace/charts/kwb-demo: the seeded chart with other default values and
 * one deliberate schema error, `imagePullPolicyy` on line 20 of templates/deployment.yaml), rendered by the test
 * helm (KWB_HELM, set as kubeWorkbench.helm.path: the extension host's PATH is the login shell's).
 */
describe('Helm charts in the workspace: render, validate, preview upgrade (real cluster)', function () {
  this.timeout(120_000);

  before(async function () {
    if (absent) {
      console.log(`SKIP charts: ${absent}`);
      this.skip();
    }
    const helmPath = process.env.KWB_HELM;
    assert.ok(helmPath, 'the runner passes the test helm in KWB_HELM');
    await vscode.workspace
      .getConfiguration('kubeWorkbench')
      .update('helm.path', helmPath, vscode.ConfigurationTarget.Global);
    await api();
  });

  afterEach(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  after(async () => {
    await vscode.workspace
      .getConfiguration('kubeWorkbench')
      .update('helm.path', undefined, vscode.ConfigurationTarget.Global);
  });

  it('renders the chart with its own values, or with a values file, into a read-only document', async () => {
    const rendered = await vscode.commands.executeCommand<{ uri: vscode.Uri; text: string } | undefined>(
      'kubeWorkbench.renderChart',
      chartUri(),
      options,
    );
    assert.ok(rendered, 'a rendering');
    const doc = vscode.window.activeTextEditor?.document;
    assert.equal(doc?.uri.toString(), rendered.uri.toString(), 'the output is shown');
    assert.equal(doc.languageId, 'yaml');
    const text = doc.getText();
    assert.match(text, /# Source: kwb-demo\/templates\/deployment\.yaml/);
    assert.match(text, /name: kwb-demo-web/);
    assert.match(text, /greeting: "hello from the workspace"/);
    assert.match(text, /replicas: 1\n/);
    // The document is not a file: it cannot be saved over anything.
    assert.notEqual(doc.uri.scheme, 'file');

    const { rendered: charts } = await api();
    const prod = await charts.renderChart(chartUri('Chart.yaml'), {
      ...options,
      valuesFile: chartUri('values-prod.yaml'),
    });
    assert.match(prod.text, /replicas: 3\n/, 'the picked values file is used');
  });

  it('validates the rendered documents and shows the problem on the template file, at its line', async () => {
    const result = await vscode.commands.executeCommand<
      { problems: { file: vscode.Uri; line: number; message: string; confidence: string }[] } | undefined
    >('kubeWorkbench.validateChart', chartUri(), options);
    assert.ok(result, 'a validation result');
    const template = chartUri('templates', 'deployment.yaml');
    const described = result.problems.map(
      (p) => `${vscode.workspace.asRelativePath(p.file)}:${p.line + 1} ${p.message}`,
    );
    assert.equal(result.problems.length, 1, described.join('\n'));
    const diagnostics = vscode.languages.getDiagnostics(template);
    const wrong = diagnostics.find((d) => /imagePullPolicyy/.test(d.message));
    assert.ok(wrong, `a diagnostic on templates/deployment.yaml: ${described.join('\n')}`);
    assert.equal(wrong.range.start.line, 19, 'on line 20 of the template, where imagePullPolicyy is written');
    assert.equal(wrong.source, 'Kube Workbench chart');
    for (const other of ['configmap.yaml', 'service.yaml'])
      assert.equal(vscode.languages.getDiagnostics(chartUri('templates', other)).length, 0, other);
  });

  it('previews an upgrade of the seeded release as a per-document diff, and writes nothing', async () => {
    const before = await releaseState();
    const { rendered, apply } = await api();
    const preview = await vscode.commands.executeCommand<{ left: vscode.Uri; right: vscode.Uri } | undefined>(
      'kubeWorkbench.previewChartUpgrade',
      chartUri(),
      options,
    );
    assert.ok(preview, 'a preview');
    const left = apply.textOf(preview.left) ?? '';
    const right = apply.textOf(preview.right) ?? '';
    assert.match(left, /greeting: hello again/, 'the live ConfigMap on the left');
    assert.match(right, /greeting: hello from the workspace/, "the chart's ConfigMap on the right");
    // The deliberate schema error: the API server refuses the Deployment in the dry run, and the preview says so.
    assert.match(left, /kind: Deployment[\s\S]*replicas: 2/, 'the live Deployment on the left');
    assert.match(right, /Deployment helm-demo\/kwb-demo-web\n# FAILED: .*imagePullPolicyy/);
    assert.notEqual(left, right);
    await assert.rejects(apply.applyFromPreview(preview.right), /preview of a Helm upgrade/);
    assert.equal(await releaseState(), before, 'the release records and objects are unchanged');
    // A release that is not installed: said, not previewed.
    await assert.rejects(
      rendered.previewChartUpgrade(chartUri(), { ...options, release: 'kwb-not-installed' }),
      /kwb-not-installed is not installed on context "kwb-admin"/,
    );
  });

  it("names the chart, release and helm's own message when a template does not render", async () => {
    const root = vscode.workspace.workspaceFolders?.[0]?.uri;
    assert.ok(root, 'a workspace folder');
    const broken = vscode.Uri.joinPath(root, `chart-broken-${Date.now().toString(36)}`);
    const write = (name: string, text: string): Thenable<void> =>
      vscode.workspace.fs.writeFile(vscode.Uri.joinPath(broken, name), Buffer.from(text));
    await write('Chart.yaml', 'apiVersion: v2\nname: broken\nversion: 0.1.0\n');
    await write(
      'templates/cm.yaml',
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name | nosuchfunction }}\n',
    );
    try {
      const { rendered } = await api();
      await assert.rejects(
        rendered.renderChart(broken, { release: 'b', namespace: 'team-b', valuesFile: null }),
        /helm template of chart-broken-\w+ \(release b, namespace team-b\) failed: .*nosuchfunction.*nothing was rendered/s,
      );
    } finally {
      await Promise.resolve(vscode.workspace.fs.delete(broken, { recursive: true })).catch(() => undefined);
    }
  });

  it('says clearly that helm is not installed, and renders nothing', async () => {
    const settings = vscode.workspace.getConfiguration('kubeWorkbench');
    await settings.update('helm.path', '/nonexistent/helm', vscode.ConfigurationTarget.Global);
    try {
      const { rendered } = await api();
      await assert.rejects(rendered.validateChart(chartUri(), options), /helm is not installed.*Nothing was rendered/);
    } finally {
      await settings.update('helm.path', process.env.KWB_HELM, vscode.ConfigurationTarget.Global);
    }
  });
});
