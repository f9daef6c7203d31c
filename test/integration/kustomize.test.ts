import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { CoreV1Api } from '@kubernetes/client-node';
import { api, clientConfig, clusterAbsentReason } from './helpers';

const absent = clusterAbsentReason();
const CONTEXT = 'kwb-admin';

/** kustomize is the one the test runner built from Go modules and put on PATH (scripts/lib/testTools.mjs). */
describe('Kustomize: build, preview and apply a kustomization (real cluster)', function () {
  this.timeout(90_000);
  const id = Date.now().toString(36);
  const core = (): CoreV1Api => clientConfig(CONTEXT).makeApiClient(CoreV1Api);
  let folder: vscode.Uri;

  before(async function () {
    if (absent) {
      console.log(`SKIP kustomize: ${absent}`);
      this.skip();
    }
    await api();
    const tools = process.env.KWB_TEST_TOOLS;
    assert.ok(tools, 'KWB_TEST_TOOLS names the folder of the test tools (scripts/integration-tests.mjs)');
    await vscode.workspace
      .getConfiguration('kubeWorkbench')
      .update('kustomize.path', `${tools}/kustomize`, vscode.ConfigurationTarget.Global);
    const root = vscode.workspace.workspaceFolders?.[0]?.uri;
    assert.ok(root, 'a workspace folder');
    folder = vscode.Uri.joinPath(root, `kustomize-${id}`);
    const write = (name: string, text: string): Thenable<void> =>
      vscode.workspace.fs.writeFile(vscode.Uri.joinPath(folder, name), Buffer.from(text));
    await write(
      'kustomization.yaml',
      `namespace: team-b\nnamePrefix: kz-${id}-\nresources: [config.yaml]\nconfigMapGenerator:\n- name: generated\n  literals: [MODE=kustomized]\npatches:\n- path: patch.yaml\n`,
    );
    await write('config.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: base}\ndata: {A: "1"}\n');
    // A patch is not an object to apply on its own: applying the folder must not send it.
    await write('patch.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: base}\ndata: {A: "2"}\n');
  });

  after(async () => {
    if (absent) return;
    const list = await core().listNamespacedConfigMap({ namespace: 'team-b' });
    for (const cm of list.items.filter((c) => c.metadata?.name?.startsWith(`kz-${id}-`))) {
      await core()
        .deleteNamespacedConfigMap({ namespace: 'team-b', name: cm.metadata!.name! })
        .catch(() => undefined);
    }
    await vscode.workspace
      .getConfiguration('kubeWorkbench')
      .update('kustomize.path', undefined, vscode.ConfigurationTarget.Global);
    await Promise.resolve(vscode.workspace.fs.delete(folder, { recursive: true })).catch(() => undefined);
  });

  it('builds into a YAML document', async () => {
    const doc = await vscode.commands.executeCommand<vscode.TextDocument | undefined>(
      'kubeWorkbench.kustomizeBuild',
      vscode.Uri.joinPath(folder, 'kustomization.yaml'),
    );
    assert.ok(doc, 'a document');
    assert.equal(doc.languageId, 'yaml');
    assert.match(doc.getText(), new RegExp(`name: kz-${id}-base\\n  namespace: team-b`));
    assert.match(doc.getText(), new RegExp(`name: kz-${id}-generated-[a-z0-9]+`));
    assert.match(doc.getText(), /A: "2"/);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('applies the built output of the folder, not its files one by one', async () => {
    const { apply } = await api();
    const report = await apply.apply([folder], { context: CONTEXT, notify: false });
    assert.ok(report);
    const names = report.results.map((r) => `${r.planned.kind} ${r.planned.ref?.name ?? ''}: ${r.status}`).sort();
    assert.equal(names.length, 2, names.join('; '));
    assert.ok(
      names.every((n) => n.endsWith(': created')),
      names.join('; '),
    );
    const base = await core().readNamespacedConfigMap({ namespace: 'team-b', name: `kz-${id}-base` });
    assert.equal(base.data?.A, '2', 'the patched object was applied');
    await assert.rejects(
      core().readNamespacedConfigMap({ namespace: 'team-b', name: 'base' }),
      'no raw file was applied',
    );
  });

  it('validates the built documents and shows a problem on the resource file that declares it', async () => {
    const root = vscode.workspace.workspaceFolders?.[0]?.uri;
    assert.ok(root, 'a workspace folder');
    const validation = vscode.Uri.joinPath(root, `kustomize-validate-${id}`);
    const write = (name: string, text: string): Thenable<void> =>
      vscode.workspace.fs.writeFile(vscode.Uri.joinPath(validation, name), Buffer.from(text));
    // An overlay over a local base, each renaming: the built Deployment is prod-web-v1, declared as "web".
    await write('overlay/kustomization.yaml', 'namePrefix: prod-\nnamespace: team-b\nresources:\n  - ../base\n');
    await write('base/kustomization.yaml', 'nameSuffix: -v1\nresources: [config.yaml, deploy.yaml]\n');
    await write('base/config.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings}\ndata: {A: "1"}\n');
    // kustomize sorts keys: in the build, imagePullPolicyy is on another line than line 16 here.
    await write(
      'base/deploy.yaml',
      [
        'apiVersion: apps/v1',
        'kind: Deployment',
        'metadata:',
        '  name: web',
        'spec:',
        '  selector:',
        '    matchLabels: {app: web}',
        '  template:',
        '    metadata:',
        '      labels: {app: web}',
        '    spec:',
        '      containers:',
        '        - name: web',
        '          image: nginx:1.27',
        '          ports: [{containerPort: 80}]',
        '          imagePullPolicyy: Always',
        '',
      ].join('\n'),
    );
    try {
      const result = await vscode.commands.executeCommand<
        { problems: { file: vscode.Uri; line: number; message: string; confidence: string }[] } | undefined
      >('kubeWorkbench.validateKustomization', vscode.Uri.joinPath(validation, 'overlay', 'kustomization.yaml'));
      assert.ok(result, 'a validation result');
      const described = result.problems.map(
        (p) => `${vscode.workspace.asRelativePath(p.file)}:${p.line + 1} ${p.confidence} ${p.message}`,
      );
      assert.equal(result.problems.length, 1, described.join('\n'));
      const deploy = vscode.Uri.joinPath(validation, 'base', 'deploy.yaml');
      const shown = vscode.languages.getDiagnostics(deploy).find((d) => /imagePullPolicyy/.test(d.message));
      assert.ok(shown, `the problem is shown on base/deploy.yaml: ${described.join('\n')}`);
      assert.equal(shown.range.start.line, 15, 'at the line of the field in the source file');
      assert.match(shown.message, /built Deployment prod-web-v1/);
      assert.equal(
        vscode.languages.getDiagnostics(vscode.Uri.joinPath(validation, 'base', 'config.yaml')).length,
        0,
        'nothing on the valid resource',
      );
    } finally {
      await Promise.resolve(vscode.workspace.fs.delete(validation, { recursive: true })).catch(() => undefined);
    }
  });

  it('says so when kustomize is not installed', async () => {
    const settings = vscode.workspace.getConfiguration('kubeWorkbench');
    await settings.update('kustomize.path', '/nonexistent/kustomize', vscode.ConfigurationTarget.Global);
    try {
      const { apply } = await api();
      await assert.rejects(apply.kustomizeBuild(folder), /kustomize is not installed/);
    } finally {
      await settings.update(
        'kustomize.path',
        `${process.env.KWB_TEST_TOOLS ?? ''}/kustomize`,
        vscode.ConfigurationTarget.Global,
      );
    }
  });
});
