import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { AppsV1Api, CoreV1Api, type KubeConfig, KubernetesObjectApi, PatchStrategy } from '@kubernetes/client-node';
import { api, clientConfig, clusterAbsentReason, eventually } from './helpers';
import type { ApplyReport, DocResult } from '../../src/core/apply/serverSideApply';

const absent = clusterAbsentReason();
const CONTEXT = 'kwb-admin';

const kubeConfig = (): KubeConfig => clientConfig(CONTEXT);

function fixture(...parts: string[]): vscode.Uri {
  const root = vscode.workspace.workspaceFolders?.[0]?.uri;
  assert.ok(root, 'a workspace folder is open');
  return vscode.Uri.joinPath(root, 'apply', ...parts);
}

function byName(report: ApplyReport): Map<string, DocResult> {
  return new Map(report.results.map((r) => [r.planned.ref?.name ?? `#${r.planned.doc.index}`, r]));
}

const statuses = (report: ApplyReport): string =>
  report.results.map((r) => `${r.planned.kind}/${r.planned.ref?.name ?? '?'}=${r.status}`).join(', ');

describe('Apply manifests against the local control plane', function () {
  let core: CoreV1Api;
  let apps: AppsV1Api;
  let tmp: string;

  before(function () {
    if (absent) {
      console.log(`SKIP Apply manifests: ${absent}`);
      this.skip();
    }
    core = kubeConfig().makeApiClient(CoreV1Api);
    apps = kubeConfig().makeApiClient(AppsV1Api);
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kwb-apply-'));
  });

  after(async function () {
    if (absent) return;
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('applies a multi-document file in order (Namespace first), then reports it unchanged', async () => {
    const { apply } = await api();
    const report = await apply.apply([fixture('multi.yaml')], { context: CONTEXT, notify: false });
    assert.ok(report);
    assert.equal(
      statuses(report),
      'Namespace/kwb-apply-multi=created, ConfigMap/shop-config=created, Deployment/shop-web=created',
    );
    const deployment = await apps.readNamespacedDeployment({ name: 'shop-web', namespace: 'kwb-apply-multi' });
    assert.ok(
      deployment.metadata?.managedFields?.some((f) => f.manager === 'kube-workbench' && f.operation === 'Apply'),
      'applied server-side with our field manager',
    );
    const cm = await core.readNamespacedConfigMap({ name: 'shop-config', namespace: 'kwb-apply-multi' });
    assert.equal(cm.data?.color, 'blue');

    const again = await apply.apply([fixture('multi.yaml')], { context: CONTEXT, notify: false });
    assert.ok(again);
    assert.deepEqual(
      again.results.map((r) => r.status),
      ['unchanged', 'unchanged', 'unchanged'],
      statuses(again),
    );
    const text = apply.textOf(apply.lastReport!);
    assert.match(text ?? '', /^Applied 0, unchanged 3 on kwb-admin/);
  });

  it('applies a folder: every YAML file, the Namespace first, the Secret without its value in the report', async () => {
    const { apply } = await api();
    const report = await apply.apply([fixture('folder')], { context: CONTEXT, notify: false });
    assert.ok(report);
    assert.equal(report.results[0]?.planned.kind, 'Namespace', statuses(report));
    assert.ok(
      report.results.every((r) => r.status === 'created'),
      statuses(report),
    );
    assert.equal(report.results.length, 4);
    const secret = await core.readNamespacedSecret({ name: 'folder-secret', namespace: 'kwb-apply-folder' });
    assert.equal(Buffer.from(secret.data?.password ?? '', 'base64').toString(), 'folder-s3cret-value');
    const text = apply.textOf(apply.lastReport!) ?? '';
    assert.match(text, /Secret kwb-apply-folder\/folder-secret: created/);
    assert.doesNotMatch(text, /folder-s3cret-value|Zm9sZGVyLXMzY3JldC12YWx1ZQ/);
  });

  it('applies a CRD before the custom resource that comes first in the file, once the CRD is Established', async () => {
    const { apply } = await api();
    const report = await apply.apply([fixture('crd-and-instance.yaml')], { context: CONTEXT, notify: false });
    assert.ok(report);
    assert.equal(
      statuses(report),
      'CustomResourceDefinition/gadgets.apply.kwb.dev=created, Gadget/first-gadget=created',
    );
    const objects = KubernetesObjectApi.makeApiClient(kubeConfig());
    const gadget = await objects.read({
      apiVersion: 'apply.kwb.dev/v1',
      kind: 'Gadget',
      metadata: { name: 'first-gadget', namespace: 'demo' },
    });
    assert.equal((gadget as { spec?: { size?: string } }).spec?.size, 'large');
  });

  it('fails bad documents one by one, with their line, and still applies the good one', async () => {
    const { apply } = await api();
    const report = await apply.apply([fixture('bad.yaml')], { context: CONTEXT, notify: false });
    assert.ok(report);
    const results = byName(report);
    assert.equal(results.get('bad-file-good-one')?.status, 'created', statuses(report));
    const byIndex = new Map(report.results.map((r) => [r.planned.doc.index, r]));
    const expectFailure = (index: number, line: number, message: RegExp): void => {
      const r = byIndex.get(index);
      assert.equal(r?.status, 'failed', `document ${index}: ${r?.status} ${r?.message}`);
      assert.match(r.message ?? '', message, `document ${index}`);
      assert.equal(r.line, line, `line of document ${index}: ${r.message}`);
    };
    expectFailure(2, 12, /YAML syntax error/);
    expectFailure(3, 14, /not a mapping/);
    expectFailure(4, 18, /unknown kind.*Gizmo/);
    expectFailure(5, 26, /namespace "kwb-no-such-namespace" does not exist on context "kwb-admin"/);
    expectFailure(6, 45, /Not_A_Valid_Name|Invalid value/);
    await assert.rejects(
      apps.readNamespacedDeployment({ name: 'bad-file-invalid', namespace: 'demo' }),
      'the invalid Deployment was not created',
    );
    const diagnostics = vscode.languages.getDiagnostics(fixture('bad.yaml'));
    assert.ok(
      diagnostics.some((d) => d.range.start.line === 44),
      `a diagnostic on line 45: ${diagnostics.map((d) => `${d.range.start.line + 1} ${d.message}`).join(' | ')}`,
    );
  });

  it("reports a real admission webhook's refusal on its document and line, and applies the others", async () => {
    const { apply } = await api();
    const names = ['webhook-before', 'webhook-refused'];
    const cleanUp = async (): Promise<void> => {
      for (const name of names)
        await core.deleteNamespacedConfigMap({ name, namespace: 'demo' }).catch(() => undefined);
      await core.deleteNamespacedService({ name: 'webhook-after', namespace: 'demo' }).catch(() => undefined);
    };
    await cleanUp();
    try {
      const report = await apply.apply([fixture('webhook.yaml')], { context: CONTEXT, notify: false });
      assert.ok(report);
      const results = byName(report);
      assert.equal(results.get('webhook-before')?.status, 'created', statuses(report));
      assert.equal(results.get('webhook-after')?.status, 'created', statuses(report));
      const refused = results.get('webhook-refused');
      assert.equal(refused?.status, 'failed', statuses(report));
      assert.equal(refused.planned.doc.index, 2);
      assert.match(
        refused.message ?? '',
        /^admission webhook "reject\.kwb\.dev" denied the request: ConfigMap demo\/webhook-refused carries the label kwb\.dev\/reject=true/,
      );
      assert.equal(refused.line, 15, 'on the labels that the webhook refuses');

      const text = apply.textOf(apply.lastReport!) ?? '';
      assert.match(text, /^Applied 2, failed 1 on kwb-admin/);
      assert.match(text, /webhook\.yaml:2 \[document 1\] ConfigMap demo\/webhook-before: created/);
      assert.match(text, /webhook\.yaml:20 \[document 3\] Service demo\/webhook-after: created/);
      assert.match(
        text,
        /webhook\.yaml:15 \[document 2\] ConfigMap demo\/webhook-refused: FAILED — admission webhook "reject\.kwb\.dev" denied the request: ConfigMap demo\/webhook-refused carries the label kwb\.dev\/reject=true/,
      );
      await core.readNamespacedConfigMap({ name: 'webhook-before', namespace: 'demo' });
      await core.readNamespacedService({ name: 'webhook-after', namespace: 'demo' });
      await assert.rejects(
        core.readNamespacedConfigMap({ name: 'webhook-refused', namespace: 'demo' }),
        'the refused ConfigMap does not exist',
      );
      const diagnostics = await eventually('a diagnostic on the refused document', () => {
        const list = vscode.languages.getDiagnostics(fixture('webhook.yaml'));
        return list.some((d) => d.range.start.line === 14 && /reject\.kwb\.dev/.test(d.message)) ? list : undefined;
      });
      assert.equal(diagnostics.filter((d) => d.severity === vscode.DiagnosticSeverity.Error).length, 1);
    } finally {
      await cleanUp();
    }
  });

  it('shows a conflict with another field manager and forces only when confirmed', async () => {
    const { apply } = await api();
    const name = `kwb-apply-conflict-${Date.now().toString(36)}`;
    const objects = KubernetesObjectApi.makeApiClient(kubeConfig());
    await objects.patch(
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'demo' }, data: { color: 'red' } },
      undefined,
      undefined,
      'other-tool',
      false,
      PatchStrategy.ServerSideApply,
    );
    const file = path.join(tmp, 'conflict.yaml');
    fs.writeFileSync(
      file,
      `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n  namespace: demo\ndata:\n  color: green\n`,
    );
    const asked: DocResult[][] = [];
    const declined = await apply.apply([vscode.Uri.file(file)], {
      context: CONTEXT,
      notify: false,
      confirmForce: (conflicts) => {
        asked.push([...conflicts]);
        return Promise.resolve(false);
      },
    });
    assert.equal(declined?.results[0]?.status, 'conflict', declined && statuses(declined));
    assert.deepEqual(declined?.results[0]?.conflicts, [{ field: 'data.color', manager: 'other-tool' }]);
    assert.equal(declined?.results[0]?.line, 7);
    assert.equal(asked.length, 1, 'asked once');
    assert.match(apply.textOf(apply.lastReport!) ?? '', /data\.color: owned by "other-tool"/);
    assert.equal((await core.readNamespacedConfigMap({ name, namespace: 'demo' })).data?.color, 'red', 'not forced');

    // The preview shows what a forced apply would do, and names the owner.
    const { right } = await apply.preview([vscode.Uri.file(file)], { context: CONTEXT });
    const preview = apply.textOf(right) ?? '';
    assert.match(preview, /data\.color \(owned by "other-tool"\)/);
    assert.match(preview, /color: green/);
    assert.equal((await core.readNamespacedConfigMap({ name, namespace: 'demo' })).data?.color, 'red');

    const forced = await apply.apply([vscode.Uri.file(file)], {
      context: CONTEXT,
      notify: false,
      confirmForce: () => Promise.resolve(true),
    });
    assert.equal(forced?.results[0]?.status, 'configured', forced && statuses(forced));
    assert.equal((await core.readNamespacedConfigMap({ name, namespace: 'demo' })).data?.color, 'green');
    await core.deleteNamespacedConfigMap({ name, namespace: 'demo' });
  });

  it('previews a change as a diff of live ↔ dry run without server noise, and applies from it', async () => {
    const { apply } = await api();
    const name = `kwb-apply-preview-${Date.now().toString(36)}`;
    const file = path.join(tmp, 'preview.yaml');
    const manifest = (size: string): string =>
      `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n  namespace: demo\ndata:\n  size: ${size}\n`;
    fs.writeFileSync(file, manifest('small'));
    const first = await apply.apply([vscode.Uri.file(file)], { context: CONTEXT, notify: false });
    assert.equal(first?.results[0]?.status, 'created');
    fs.writeFileSync(file, manifest('large'));
    const { left, right } = await apply.preview([vscode.Uri.file(file)], { context: CONTEXT });
    const leftText = apply.textOf(left) ?? '';
    const rightText = apply.textOf(right) ?? '';
    assert.match(leftText, /size: small/);
    assert.match(rightText, /size: large/);
    for (const text of [leftText, rightText]) {
      assert.doesNotMatch(text, /managedFields|resourceVersion|uid:|creationTimestamp/, text);
    }
    await eventually('the diff editor to show the preview', () =>
      vscode.window.tabGroups.all
        .flatMap((g) => g.tabs)
        .find((t) => t.input instanceof vscode.TabInputTextDiff && t.input.modified.toString() === right.toString()),
    );
    assert.equal(
      (await core.readNamespacedConfigMap({ name, namespace: 'demo' })).data?.size,
      'small',
      'a preview changes nothing',
    );
    const report = await vscode.commands.executeCommand<ApplyReport | undefined>(
      'kubeWorkbench.applyFromPreview',
      right,
    );
    assert.equal(report?.results[0]?.status, 'configured');
    assert.equal((await core.readNamespacedConfigMap({ name, namespace: 'demo' })).data?.size, 'large');
    await core.deleteNamespacedConfigMap({ name, namespace: 'demo' });
  });

  it('applies from a preview only what the preview showed: a file changed since is refused, nothing applied', async () => {
    const { apply } = await api();
    const name = `kwb-apply-stale-${Date.now().toString(36)}`;
    const file = path.join(tmp, 'stale.yaml');
    const manifest = (size: string): string =>
      `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n  namespace: demo\ndata:\n  size: ${size}\n`;
    fs.writeFileSync(file, manifest('previewed'));
    const { right } = await apply.preview([vscode.Uri.file(file)], { context: CONTEXT });
    fs.writeFileSync(file, manifest('changed-after-the-preview'));
    await assert.rejects(
      apply.applyFromPreview(right, { notify: false }),
      /stale\.yaml changed since the preview; nothing was applied/,
    );
    await assert.rejects(core.readNamespacedConfigMap({ name, namespace: 'demo' }), 'nothing was created');
    fs.writeFileSync(file, manifest('previewed'));
    const report = await apply.applyFromPreview(right, { notify: false });
    assert.equal(report?.results[0]?.status, 'created');
    assert.equal((await core.readNamespacedConfigMap({ name, namespace: 'demo' })).data?.size, 'previewed');
    await core.deleteNamespacedConfigMap({ name, namespace: 'demo' });
  });

  it('applies a folder without following symbolic links (a link back up would loop)', async () => {
    const { apply } = await api();
    const name = `kwb-apply-links-${Date.now().toString(36)}`;
    const folder = fs.mkdtempSync(path.join(tmp, 'links-'));
    fs.mkdirSync(path.join(folder, 'sub'));
    fs.writeFileSync(
      path.join(folder, 'sub', 'cm.yaml'),
      `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n  namespace: demo\n`,
    );
    fs.symlinkSync('..', path.join(folder, 'sub', 'loop'));
    fs.symlinkSync(path.join(folder, 'sub', 'cm.yaml'), path.join(folder, 'linked.yaml'));
    const report = await apply.apply([vscode.Uri.file(folder)], { context: CONTEXT, notify: false });
    assert.deepEqual(
      report?.results.map((r) => [r.planned.doc.source.replace(/.*links-[^/]*\//, ''), r.status]),
      [['sub/cm.yaml', 'created']],
    );
    await core.deleteNamespacedConfigMap({ name, namespace: 'demo' });
  });

  it('follows the rollouts an apply started: both new Deployments, then only the one whose template changed', async () => {
    const { apply } = await api();
    const suffix = Date.now().toString(36);
    const [web, api2] = [`kwb-apply-web-${suffix}`, `kwb-apply-api-${suffix}`];
    const file = path.join(tmp, 'rollout.yaml');
    const deployment = (name: string, image: string, replicas: number): string =>
      [
        'apiVersion: apps/v1',
        'kind: Deployment',
        'metadata:',
        `  name: ${name}`,
        '  namespace: demo',
        'spec:',
        `  replicas: ${replicas}`,
        '  selector:',
        '    matchLabels:',
        `      app: ${name}`,
        '  template:',
        '    metadata:',
        '      labels:',
        `        app: ${name}`,
        '    spec:',
        '      containers:',
        '        - name: web',
        `          image: ${image}`,
        '',
      ].join('\n');
    const write = (webImage: string, webReplicas: number): void =>
      fs.writeFileSync(file, `${deployment(web, webImage, webReplicas)}---\n${deployment(api2, 'nginx:1.27', 1)}`);
    const rollouts = (report: Awaited<ReturnType<typeof apply.apply>>): string =>
      (report?.rollouts ?? []).map((r) => `${r.ref.name}=${r.outcome.outcome}: ${r.outcome.message}`).join(' | ');
    try {
      write('nginx:1.27', 2);
      const created = await apply.apply([vscode.Uri.file(file)], {
        context: CONTEXT,
        notify: false,
        followRollouts: true,
      });
      assert.ok(created);
      assert.equal(statuses(created), `Deployment/${web}=created, Deployment/${api2}=created`);
      assert.equal(
        rollouts(created),
        `${web}=done: deployment "${web}" successfully rolled out | ${api2}=done: deployment "${api2}" successfully rolled out`,
      );

      write('nginx:1.28', 2);
      const changed = await apply.apply([vscode.Uri.file(file)], {
        context: CONTEXT,
        notify: false,
        followRollouts: true,
      });
      assert.ok(changed);
      assert.equal(statuses(changed), `Deployment/${web}=configured, Deployment/${api2}=unchanged`);
      assert.equal(rollouts(changed), `${web}=done: deployment "${web}" successfully rolled out`);
      const live = await apps.readNamespacedDeployment({ name: web, namespace: 'demo' });
      assert.equal(live.spec?.template.spec?.containers[0]?.image, 'nginx:1.28');
      assert.equal(live.status?.updatedReplicas, 2, 'the rollout was followed to its end');
      assert.equal(live.status?.availableReplicas, 2);

      // A change of replicas alone starts no rollout: nothing to follow, nothing offered.
      write('nginx:1.28', 3);
      const scaled = await apply.apply([vscode.Uri.file(file)], {
        context: CONTEXT,
        notify: false,
        followRollouts: true,
      });
      assert.ok(scaled);
      assert.equal(statuses(scaled), `Deployment/${web}=configured, Deployment/${api2}=unchanged`);
      assert.equal(scaled.rollouts, undefined, rollouts(scaled));
      assert.ok(scaled.results.every((r) => !r.startsRollout));
    } finally {
      for (const name of [web, api2]) {
        await apps.deleteNamespacedDeployment({ name, namespace: 'demo' }).catch(() => undefined);
      }
    }
  });

  it('previews a Secret with its values masked', async () => {
    const { apply } = await api();
    const { left, right } = await apply.preview([fixture('folder', 'secret.yaml')], { context: CONTEXT });
    for (const text of [apply.textOf(left) ?? '', apply.textOf(right) ?? '']) {
      assert.match(text, /password: ••••••/);
      assert.doesNotMatch(text, /folder-s3cret-value|Zm9sZGVyLXMzY3JldC12YWx1ZQ/);
    }
  });

  it('deletes what a manifest names after a confirmation that names the context and the objects', async () => {
    const { apply } = await api();
    const questions: string[] = [];
    const declined = await apply.deleteFromManifest([fixture('multi.yaml')], {
      context: CONTEXT,
      notify: false,
      confirmDelete: (q, d) => {
        questions.push(`${q}\n${d}`);
        return Promise.resolve(false);
      },
    });
    assert.equal(declined, undefined);
    assert.match(questions[0] ?? '', /context "kwb-admin"[\s\S]*Deployment kwb-apply-multi\/shop-web/);
    await core.readNamespace({ name: 'kwb-apply-multi' });

    const report = await apply.deleteFromManifest([fixture('multi.yaml')], {
      context: CONTEXT,
      notify: false,
      confirmDelete: () => Promise.resolve(true),
    });
    assert.ok(report);
    assert.deepEqual(
      report.results.map((r) => r.status),
      ['deleted', 'deleted', 'deleted'],
    );
    await assert.rejects(core.readNamespacedConfigMap({ name: 'shop-config', namespace: 'kwb-apply-multi' }));
  });

  it('refuses to apply to a read-only context, and says why an unreachable one cannot be applied to', async () => {
    const { apply } = await api();
    const settings = vscode.workspace.getConfiguration('kubeWorkbench');
    await settings.update('readOnlyContexts', ['kwb-adm*'], vscode.ConfigurationTarget.Global);
    try {
      await assert.rejects(
        apply.apply([fixture('bad.yaml')], { context: CONTEXT, notify: false }),
        (err: Error) => err instanceof vscode.CancellationError,
      );
    } finally {
      await settings.update('readOnlyContexts', undefined, vscode.ConfigurationTarget.Global);
    }
    await assert.rejects(
      apply.apply([fixture('multi.yaml')], { context: 'kwb-offline', notify: false }),
      /context "kwb-offline"; nothing was changed: .*(refused|reach)/,
    );
  });
});
