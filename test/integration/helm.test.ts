import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { CoreV1Api, AppsV1Api } from '@kubernetes/client-node';
import { api, clientConfig, clusterAbsentReason, eventually } from './helpers';
import { childrenOf, label, walk } from './tree';
import type { HelmReleaseNode, Node } from '../../src/ext/views/nodes';

const absent = clusterAbsentReason();
const CONTEXT = 'kwb-admin';
/** Seeded by the test runner (scripts/helm.mjs): kwb-demo installed, then upgraded with other values. */
const NS = 'helm-demo';
const RELEASE = 'kwb-demo';
const target = { context: CONTEXT, namespace: NS, release: RELEASE };

function core(): CoreV1Api {
  return clientConfig(CONTEXT).makeApiClient(CoreV1Api);
}

async function records(release = RELEASE): Promise<{ name: string; status: string; version: number }[]> {
  const list = await core().listNamespacedSecret({ namespace: NS, labelSelector: `owner=helm,name=${release}` });
  return list.items
    .map((s) => ({
      name: s.metadata?.name ?? '',
      status: s.metadata?.labels?.status ?? '',
      version: Number(s.metadata?.labels?.version),
    }))
    .sort((a, b) => a.version - b.version);
}

async function releaseNode(scope = NS, release = RELEASE): Promise<HelmReleaseNode> {
  return (await walk(CONTEXT, scope, 'Helm Releases', release)) as HelmReleaseNode;
}

function description(node: Node): string {
  const text = getItem(node).description;
  return typeof text === 'string' ? text : '';
}

let treeItem: (node: Node) => vscode.TreeItem;
function getItem(node: Node): vscode.TreeItem {
  return treeItem(node);
}

function tooltipOf(node: Node): string {
  const tip = getItem(node).tooltip;
  return typeof tip === 'string' ? tip : (tip?.value ?? '');
}

/**
 * The test helm (built from Go modules by scripts/helm.mjs) as kubeWorkbench.helm.path: the runner puts it first on
 * code-server's PATH too, but the extension host's PATH is the login shell's, which code-server resolves itself.
 */
async function useTestHelm(): Promise<void> {
  const helmPath = process.env.KWB_HELM;
  assert.ok(helmPath, 'the runner passes the test helm in KWB_HELM');
  await vscode.workspace
    .getConfiguration('kubeWorkbench')
    .update('helm.path', helmPath, vscode.ConfigurationTarget.Global);
}

async function activeText(scheme: string, suffix: string): Promise<vscode.TextDocument> {
  return eventually(`a ${scheme} document ending in ${suffix}`, () => {
    const doc = vscode.window.activeTextEditor?.document;
    return doc?.uri.scheme === scheme && doc.uri.path.endsWith(suffix) ? doc : undefined;
  });
}

describe('Helm releases', function () {
  this.timeout(120_000);

  before(async function () {
    if (absent) {
      console.log(`SKIP Helm releases: ${absent}`);
      this.skip();
    }
    const { tree } = await api();
    treeItem = (node) => tree.getTreeItem(node);
  });

  afterEach(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  after(async () => {
    await vscode.workspace
      .getConfiguration('kubeWorkbench')
      .update('helm.path', undefined, vscode.ConfigurationTarget.Global);
  });

  it('lists the seeded release with chart, app version, status and revision, in its namespace and in all', async () => {
    const node = await releaseNode();
    const text = await eventually('the release described', () => {
      const d = description(node);
      return /rev 2/.test(d) ? d : undefined;
    });
    assert.match(text, /kwb-demo-0\.1\.0/);
    assert.match(text, /app 1\.0\.0/);
    assert.match(text, /deployed/);
    const tooltip = tooltipOf(node);
    assert.match(tooltip, /revision: 2 \(2 stored\)/);
    assert.match(tooltip, /Secret sh\.helm\.release\.v1\.kwb-demo\.v2/);
    assert.match(getItem(node).contextValue ?? '', /\bkwb:can-helmRead\b/);
    const inAll = await releaseNode('allNamespaces');
    assert.match(description(inAll), new RegExp(`^${NS} · kwb-demo-0\\.1\\.0`));
  });

  it("expands a release to its manifest's objects, with the tree's live status", async () => {
    const node = await releaseNode();
    const kids = await eventually('the live Deployment under the release', async () => {
      const children = await childrenOf(node);
      const web = children.find((c) => c.type === 'resource' && c.row.kind === 'Deployment');
      return web && web.type === 'resource' && /2\/2 ready/.test(web.row.status) ? children : undefined;
    });
    assert.deepEqual(kids.map((k) => `${k.type === 'resource' ? k.row.kind : k.type}/${label(k)}`).sort(), [
      'ConfigMap/kwb-demo-config',
      'Deployment/kwb-demo-web',
      'Service/kwb-demo-web',
    ]);
  });

  it('opens values, manifest and notes as read-only documents', async () => {
    const node = await releaseNode();
    await vscode.commands.executeCommand('kubeWorkbench.helmOpenValues', node);
    const values = await activeText('kubeWorkbench-helm', '/2/values.yaml');
    assert.match(values.getText(), /greeting: hello again/);
    assert.match(values.getText(), /replicaCount: 2/);
    assert.equal(values.languageId, 'yaml');
    const editor = vscode.window.activeTextEditor!;
    // A content provider's document cannot be saved back: there is nothing to write it to.
    assert.equal(await editor.document.save(), false);

    await vscode.commands.executeCommand('kubeWorkbench.helmOpenManifest', node);
    const manifest = await activeText('kubeWorkbench-helm', '/2/manifest.yaml');
    assert.match(manifest.getText(), /# Source: kwb-demo\/templates\/deployment\.yaml/);
    assert.match(manifest.getText(), /replicas: 2/);

    await vscode.commands.executeCommand('kubeWorkbench.helmOpenNotes', node);
    const notes = await activeText('kubeWorkbench-helm', '/2/notes.txt');
    assert.match(notes.getText(), /kwb-demo says hello again from nginx:1\.27/);
  });

  it('diffs the values and the manifest of two revisions', async () => {
    const node = await releaseNode();
    const result = await vscode.commands.executeCommand<{ values: vscode.Uri[]; manifest: vscode.Uri[] }>(
      'kubeWorkbench.helmDiff',
      node,
      { from: 2, to: 1 },
    );
    assert.ok(result, 'the command answered');
    const [valuesLeft, valuesRight] = result.values;
    const [manifestOld, manifestNew] = result.manifest;
    assert.ok(valuesLeft && valuesRight && manifestOld && manifestNew);
    assert.match(valuesLeft.path, /\/1\/values\.yaml$/);
    assert.match(valuesRight.path, /\/2\/values\.yaml$/);
    const left = await vscode.workspace.openTextDocument(valuesLeft);
    const right = await vscode.workspace.openTextDocument(valuesRight);
    assert.equal(left.getText(), '{}\n', 'revision 1 was installed with the chart defaults');
    assert.match(right.getText(), /greeting: hello again/);
    const manifestLeft = await vscode.workspace.openTextDocument(manifestOld);
    assert.match(manifestLeft.getText(), /replicas: 1/);
    const diffs = await eventually('two diff editors', () => {
      const tabs = vscode.window.tabGroups.all
        .flatMap((g) => g.tabs)
        .filter((t) => t.input instanceof vscode.TabInputTextDiff);
      return tabs.length >= 2 ? tabs : undefined;
    });
    const inputs = diffs.map((t) => t.input as vscode.TabInputTextDiff);
    assert.ok(inputs.some((i) => i.modified.toString() === manifestNew.toString()));
  });

  it('shows a corrupt release record as an error on that release only', async () => {
    const name = 'sh.helm.release.v1.broken.v1';
    await core().createNamespacedSecret({
      namespace: NS,
      body: {
        metadata: { name, labels: { owner: 'helm', name: 'broken', version: '1', status: 'deployed' } },
        type: 'helm.sh/release.v1',
        data: { release: Buffer.from('H4sIAAAA-this is not a release').toString('base64') },
      },
    });
    try {
      const broken = await releaseNode(NS, 'broken');
      await eventually('the broken release', () => (/cannot be read/.test(description(broken)) ? true : undefined));
      assert.match(tooltipOf(broken), new RegExp(`Secret ${NS}/${name.replace(/\./g, '\\.')} cannot be read`));
      const kids = await childrenOf(broken);
      assert.equal(kids[0]?.type, 'message');
      assert.match(label(kids[0]), /cannot be read/);
      // The other release is unaffected.
      assert.match(description(await releaseNode()), /deployed · rev 2/);
    } finally {
      await core().deleteNamespacedSecret({ namespace: NS, name });
    }
    await eventually('the broken release gone', async () => {
      const folder = await walk(CONTEXT, NS, 'Helm Releases');
      return (await childrenOf(folder)).some((k) => label(k) === 'broken') ? undefined : true;
    });
  });

  it('reads a release stored in ConfigMaps (HELM_DRIVER=configmap) and uninstalls it with that driver', async () => {
    const helmBin = process.env.KWB_HELM;
    assert.ok(helmBin, 'the runner passes the test helm in KWB_HELM');
    // The bundled suite runs from out/test/integration: the chart is in the repository's test/fixtures.
    const chart = path.resolve(__dirname, '..', '..', '..', 'test', 'fixtures', 'helm', 'kwb-demo');
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'kwb-helm-cm-'));
    try {
      await promisify(execFile)(
        helmBin,
        [
          'install',
          'kwb-cm',
          chart,
          '--set',
          'greeting=from-a-configmap',
          `--kube-context=${CONTEXT}`,
          `--namespace=${NS}`,
        ],
        {
          env: {
            ...process.env,
            HELM_DRIVER: 'configmap',
            HELM_CACHE_HOME: path.join(home, 'cache'),
            HELM_CONFIG_HOME: path.join(home, 'config'),
            HELM_DATA_HOME: path.join(home, 'data'),
          },
        },
      );
    } finally {
      fs.rmSync(home, { recursive: true, force: true });
    }
    const node = await releaseNode(NS, 'kwb-cm');
    await eventually('the ConfigMap-stored release', () =>
      /ConfigMap sh\.helm\.release\.v1\.kwb-cm\.v1/.test(tooltipOf(node)) ? true : undefined,
    );
    assert.match(description(node), /kwb-demo-0\.1\.0 · app 1\.0\.0 · deployed · rev 1/);
    await vscode.commands.executeCommand('kubeWorkbench.helmOpenValues', node);
    const values = await activeText('kubeWorkbench-helm', '/kwb-cm/1/values.yaml');
    assert.match(values.getText(), /greeting: from-a-configmap/);

    await useTestHelm();
    const { helm } = await api();
    const result = await helm.uninstall(
      { context: CONTEXT, namespace: NS, release: 'kwb-cm' },
      { confirm: () => Promise.resolve(true) },
    );
    assert.match(result?.output ?? '', /release "kwb-cm" uninstalled/);
    const left = await core().listNamespacedConfigMap({ namespace: NS, labelSelector: 'owner=helm,name=kwb-cm' });
    assert.deepEqual(left.items, []);
    await vscode.workspace
      .getConfiguration('kubeWorkbench')
      .update('helm.path', undefined, vscode.ConfigurationTarget.Global);
  });

  it('says clearly that helm is not installed, and changes nothing', async () => {
    const { helm } = await api();
    const before = await records();
    const path = process.env.PATH;
    let asked = false;
    process.env.PATH = '/nonexistent';
    try {
      await assert.rejects(
        helm.rollback(target, 1, { confirm: () => Promise.resolve((asked = true)) }),
        /helm is not installed \(not found on PATH\).*install helm/,
      );
    } finally {
      process.env.PATH = path;
    }
    assert.equal(asked, false, 'nothing was asked');
    assert.deepEqual(await records(), before);
  });

  it('a read-only context refuses rollback and uninstall; the release is unchanged', async () => {
    const { helm, guard } = await api();
    const before = await records();
    const refusals: string[] = [];
    const sub = guard.onDidRefuse(({ what }) => refusals.push(what));
    const settings = vscode.workspace.getConfiguration('kubeWorkbench');
    await settings.update('readOnlyContexts', [CONTEXT], vscode.ConfigurationTarget.Global);
    try {
      let asked = false;
      const confirm = (): Promise<boolean> => Promise.resolve((asked = true));
      await assert.rejects(helm.rollback(target, 1, { confirm }), /read-only/);
      await assert.rejects(helm.uninstall(target, { confirm }), /read-only/);
      assert.equal(asked, false, 'refused before asking');
      // Through the commands too: their errors are reported as notifications (not awaited: they wait for a click).
      const node = await releaseNode();
      const from = refusals.length;
      void vscode.commands.executeCommand('kubeWorkbench.helmRollback', node, { revision: 1 });
      void vscode.commands.executeCommand('kubeWorkbench.helmUninstall', node);
      void vscode.commands.executeCommand('kubeWorkbench.helmRollback', node);
      await eventually('three refusals of the commands', () => (refusals.length >= from + 3 ? true : undefined));
      const seen = refusals.slice(from);
      assert.ok(
        seen.some((w) => /rolling back Helm release helm-demo\/kwb-demo/.test(w)),
        JSON.stringify(seen),
      );
      assert.ok(
        seen.some((w) => /uninstalling Helm release helm-demo\/kwb-demo/.test(w)),
        JSON.stringify(seen),
      );
      const item = await eventually('the read-only release item', async () => {
        const n = await releaseNode();
        return /read-only/.test(tooltipOf(n)) ? getItem(n) : undefined;
      });
      assert.doesNotMatch(item.contextValue ?? '', /can:edit/);
    } finally {
      sub.dispose();
      await settings.update('readOnlyContexts', undefined, vscode.ConfigurationTarget.Global);
      await vscode.commands.executeCommand('notifications.clearAll');
    }
    assert.deepEqual(await records(), before);
    const web = await clientConfig(CONTEXT)
      .makeApiClient(AppsV1Api)
      .readNamespacedDeployment({ namespace: NS, name: 'kwb-demo-web' });
    assert.equal(web.spec?.replicas, 2);
  });

  it('rolls back to revision 1 with helm: a new revision 3 with the first values', async () => {
    await useTestHelm();
    const { helm } = await api();
    let question = '';
    const result = await helm.rollback(target, 1, {
      confirm: (q) => {
        question = q;
        return Promise.resolve(true);
      },
    });
    assert.match(question, /rolling back Helm release helm-demo\/kwb-demo to revision 1 on context "kwb-admin"/i);
    assert.match(result?.output ?? '', /Rollback was a success/);
    assert.deepEqual(
      (await records()).map((r) => `${r.version}:${r.status}`),
      ['1:superseded', '2:superseded', '3:deployed'],
    );
    const node = await releaseNode();
    await eventually('revision 3 in the tree', () => (/deployed · rev 3/.test(description(node)) ? true : undefined));
    await vscode.commands.executeCommand('kubeWorkbench.helmOpenValues', node);
    const values = await activeText('kubeWorkbench-helm', '/3/values.yaml');
    assert.equal(values.getText(), '{}\n');
    const web = await clientConfig(CONTEXT)
      .makeApiClient(AppsV1Api)
      .readNamespacedDeployment({ namespace: NS, name: 'kwb-demo-web' });
    assert.equal(web.spec?.replicas, 1);
  });

  it('uninstalls with helm: the release and its objects go', async () => {
    await useTestHelm();
    const { helm } = await api();
    const result = await helm.uninstall(target, { confirm: () => Promise.resolve(true) });
    assert.match(result?.output ?? '', /release "kwb-demo" uninstalled/);
    assert.deepEqual(await records(), []);
    await eventually('the release gone from the tree', async () => {
      const folder = await walk(CONTEXT, NS, 'Helm Releases');
      const kids = await childrenOf(folder);
      return kids.some((k) => label(k) === RELEASE) ? undefined : kids;
    });
    await assert.rejects(
      clientConfig(CONTEXT).makeApiClient(AppsV1Api).readNamespacedDeployment({ namespace: NS, name: 'kwb-demo-web' }),
    );
  });
});
