import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { ApiextensionsV1Api } from '@kubernetes/client-node';
import { api, clientConfig, clusterAbsentReason, eventually } from './helpers';
import type { KubeWorkbenchApi } from '../../src/extension';

const absent = clusterAbsentReason();
const SELECT_SOURCE = 'kubeWorkbench.selectSchemaSource';

function fixture(path: string): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) throw new Error('the test VS Code has no workspace folder');
  return vscode.Uri.joinPath(folder.uri, path);
}

async function open(path: string): Promise<vscode.TextDocument> {
  const doc = await vscode.workspace.openTextDocument(fixture(path));
  await vscode.window.showTextDocument(doc);
  return doc;
}

function describeDiagnostics(list: readonly vscode.Diagnostic[]): string {
  return list.map((d) => `${d.range.start.line + 1}:${d.range.start.character + 1} ${d.message}`).join(' | ');
}

/** Waits until the file's diagnostics satisfy `ok`; fails with what was last seen. */
async function diagnosticsOf(
  uri: vscode.Uri,
  ok: (list: readonly vscode.Diagnostic[]) => boolean,
  what: string,
): Promise<readonly vscode.Diagnostic[]> {
  let last: readonly vscode.Diagnostic[] = [];
  try {
    return await eventually(
      what,
      () => {
        last = vscode.languages.getDiagnostics(uri);
        return ok(last) ? last : undefined;
      },
      30_000,
    );
  } catch (err) {
    throw new Error(`${(err as Error).message}; diagnostics were: ${describeDiagnostics(last) || 'none'}`);
  }
}

/** Waits until the schema of a file was answered from the expected source (the status bar's text). */
async function schemaSource(k: KubeWorkbenchApi, doc: vscode.TextDocument, expected: RegExp): Promise<string> {
  return eventually(`schema source of ${doc.uri.path} matching ${expected}`, () => {
    const label = k.manifests.statusOf(doc.uri)?.label;
    return label && expected.test(label) ? label : undefined;
  });
}

/** Diagnostics settle after the schema is known: wait until two reads 1 s apart agree (used only for "none"). */
async function settledEmpty(uri: vscode.Uri): Promise<void> {
  await new Promise((r) => setTimeout(r, 1500));
  assert.equal(describeDiagnostics(vscode.languages.getDiagnostics(uri)), '', `no diagnostics for ${uri.path}`);
}

describe('Manifest editor: validation, completion and hover from the cluster schemas', function () {
  let k: KubeWorkbenchApi;

  before(async function () {
    if (absent) {
      console.log(`SKIP Manifest editor: ${absent}`);
      this.skip();
    }
    k = await api();
    await vscode.commands.executeCommand(SELECT_SOURCE, 'kwb-admin');
  });

  after(async function () {
    if (absent) return;
    await vscode.commands.executeCommand(SELECT_SOURCE, 'window');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('reports a wrong field in a Deployment, on that field, from the cluster schema', async function () {
    const doc = await open('editor/deployment-bad.yaml');
    const list = await diagnosticsOf(
      doc.uri,
      (l) => l.some((d) => d.message.includes('imagePullPolicyy')),
      'a diagnostic about imagePullPolicyy',
    );
    const d = list.find((x) => x.message.includes('imagePullPolicyy'));
    assert.equal(d?.range.start.line, 18, 'on the line of the wrong field');
    assert.match(await schemaSource(k, doc, /cluster kwb-admin/), /cluster kwb-admin \(v1\.\d+/);
  });

  it('reports a wrong field in a CRD instance (widgets.demo.kwb.dev) from the cluster OpenAPI', async function () {
    const doc = await open('editor/widget-bad.yaml');
    const list = await diagnosticsOf(
      doc.uri,
      (l) => l.some((d) => d.message.includes('colour')),
      'a diagnostic about colour',
    );
    assert.equal(list.find((x) => x.message.includes('colour'))?.range.start.line, 7);
    await schemaSource(k, doc, /cluster kwb-admin/);
  });

  it('reports nothing for a valid multi-document manifest', async function () {
    const doc = await open('editor/deployment-good.yaml');
    await schemaSource(k, doc, /cluster kwb-admin/);
    await settledEmpty(doc.uri);
  });

  it('validates each document of a file against its own kind and says when a kind is unknown', async function () {
    const doc = await open('editor/multi-bad.yaml');
    const list = await diagnosticsOf(
      doc.uri,
      (l) => l.some((d) => d.message.includes('portz')) && l.some((d) => /Unknown kind "Gadget"/.test(d.message)),
      'diagnostics about portz (Service) and the unknown kind Gadget',
    );
    assert.equal(list.find((d) => d.message.includes('portz'))?.range.start.line, 12);
    const unknown = list.find((d) => /Unknown kind "Gadget"/.test(d.message));
    assert.equal(unknown?.range.start.line, 16, 'the unknown-kind diagnostic sits on kind:');
    assert.match(unknown?.message ?? '', /kwb-admin/);
    assert.equal(list.filter((d) => d.range.start.line < 6).length, 0, 'none in the valid ConfigMap');
    await diagnosticsOf(
      doc.uri,
      (l) => l.some((d) => /must be a mapping/.test(d.message) && d.range.start.line === 20),
      'a "must be a mapping" diagnostic on the list document',
    );
  });

  it('keeps every diagnostic on its line while edits above move the documents, and revalidates an edited one', async function () {
    const doc = await open('editor/multi-bad.yaml');
    const lines = (l: readonly vscode.Diagnostic[]) =>
      ['portz', 'Unknown kind "Gadget"', 'must be a mapping'].map(
        (m) => l.find((d) => d.message.includes(m))?.range.start.line,
      );
    await diagnosticsOf(doc.uri, (l) => lines(l).join() === '12,16,20', 'portz, Gadget and the list where they are');
    try {
      // Three lines into the first document: the server re-parses that one and moves the others.
      const edit = new vscode.WorkspaceEdit();
      edit.insert(doc.uri, new vscode.Position(5, 0), '  added: one\n  more: two\n  third: three\n');
      assert.ok(await vscode.workspace.applyEdit(edit));
      await diagnosticsOf(doc.uri, (l) => lines(l).join() === '15,19,23', 'every diagnostic three lines down');
      // Fixing the wrong field in the second document: its diagnostic goes, the others stay where they are.
      const fix = new vscode.WorkspaceEdit();
      fix.replace(doc.uri, new vscode.Range(15, 2, 15, 7), 'ports');
      assert.ok(await vscode.workspace.applyEdit(fix));
      await diagnosticsOf(doc.uri, (l) => lines(l).join() === ',19,23', 'portz fixed, Gadget and the list unmoved');
      assert.equal(
        vscode.languages.getDiagnostics(doc.uri).filter((d) => d.range.start.line < 9).length,
        0,
        'still none in the valid ConfigMap',
      );
    } finally {
      await vscode.commands.executeCommand('workbench.action.files.revert');
    }
    await diagnosticsOf(doc.uri, (l) => lines(l).join() === '12,16,20', 'back where they were after the revert');
  });

  it('leaves a Helm template alone', async function () {
    const doc = await open('chart/templates/deploy.yaml');
    // A manifest opened after it gets diagnostics: by then the template would have had its own.
    const bad = await open('editor/deployment-bad.yaml');
    await diagnosticsOf(bad.uri, (l) => l.length > 0, 'diagnostics of the bad Deployment');
    await settledEmpty(doc.uri);
    assert.equal(k.manifests.statusOf(doc.uri), undefined, 'no schema was looked up for the template');
  });

  it('takes the schema of a CRD found in the workspace when the cluster does not know the kind', async function () {
    const doc = await open('editor/gizmo-bad.yaml');
    await diagnosticsOf(doc.uri, (l) => l.some((d) => d.message.includes('spin')), 'a diagnostic about spin');
    await schemaSource(k, doc, /CustomResourceDefinition in the workspace/);
  });

  it('offers completion of fields from the schema', async function () {
    const doc = await open('editor/completion.yaml');
    await schemaSource(k, doc, /cluster kwb-admin/);
    const position = new vscode.Position(5, 6);
    const labels = await eventually('completion items with replicas', async () => {
      const list = await vscode.commands.executeCommand<vscode.CompletionList>(
        'vscode.executeCompletionItemProvider',
        doc.uri,
        position,
      );
      const names = list.items.map((i) => (typeof i.label === 'string' ? i.label : i.label.label));
      return names.includes('replicas') ? names : undefined;
    });
    assert.ok(labels.includes('revisionHistoryLimit'), `DeploymentSpec fields offered: ${labels.join(', ')}`);
  });

  it('explains a field on hover with the documentation from the schema', async function () {
    const doc = await open('editor/deployment-bad.yaml');
    await schemaSource(k, doc, /cluster kwb-admin/);
    const text = await eventually('a hover on replicas', async () => {
      const hovers = await vscode.commands.executeCommand<vscode.Hover[]>(
        'vscode.executeHoverProvider',
        doc.uri,
        new vscode.Position(6, 4),
      );
      const all = hovers
        .flatMap((h) => h.contents)
        .map((c) => (typeof c === 'string' ? c : 'value' in c ? c.value : ''))
        .join('\n');
      return /desired pods/i.test(all) ? all : undefined;
    });
    assert.doesNotMatch(text, /kubewb-schema:/, 'no link to an internal schema URI');
  });

  it('says a document is too complex instead of expanding an alias bomb, and the server stays up', async function () {
    const doc = await open('editor/alias-bomb.yaml');
    await diagnosticsOf(doc.uri, (l) => l.some((d) => /too complex/.test(d.message)), 'a "too complex" diagnostic');
    // The server still answers for other files.
    const good = await open('editor/widget-bad.yaml');
    await diagnosticsOf(good.uri, (l) => l.some((d) => d.message.includes('colour')), 'widget diagnostics');
    assert.ok(k.manifests.languageClient?.isRunning(), 'the language server is running');
  });

  it('says a document nested thousands of levels deep is too complex (no stack overflow), and the server stays up', async function () {
    const deep = await vscode.workspace.openTextDocument({
      language: 'yaml',
      content:
        'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: deep\ndata: ' +
        '['.repeat(50_000) +
        ']'.repeat(50_000) +
        '\n',
    });
    await vscode.window.showTextDocument(deep);
    await diagnosticsOf(
      deep.uri,
      (l) => l.some((d) => /too complex to validate \(it is nested more than 100 levels deep\)/.test(d.message)),
      'a "nested too deeply" diagnostic',
    );
    const good = await open('editor/widget-bad.yaml');
    await diagnosticsOf(good.uri, (l) => l.some((d) => d.message.includes('colour')), 'widget diagnostics');
    assert.ok(k.manifests.languageClient?.isRunning(), 'the language server is running');
    await vscode.window.showTextDocument(deep);
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  });

  it('reports YAML syntax problems: a tab, a duplicate key', async function () {
    const doc = await vscode.workspace.openTextDocument({
      language: 'yaml',
      content: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  name: y\ndata:\n\tkey: value\n',
    });
    await vscode.window.showTextDocument(doc);
    const list = await diagnosticsOf(
      doc.uri,
      (l) => l.some((d) => /duplicate|unique/i.test(d.message)) && l.some((d) => /tab/i.test(d.message)),
      'diagnostics for the duplicate key and the tab',
    );
    assert.ok(list.length >= 2);
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  });
});

describe('Manifest editor: a reused untitled document name', function () {
  before(async function () {
    if (absent) {
      console.log(`SKIP Manifest editor untitled: ${absent}`);
      this.skip();
    }
    await api();
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.commands.executeCommand(SELECT_SOURCE, 'kwb-admin');
  });

  after(async function () {
    if (absent) return;
    await vscode.commands.executeCommand(SELECT_SOURCE, 'window');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  async function openUntitled(content: string): Promise<vscode.TextDocument> {
    const doc = await vscode.workspace.openTextDocument({ language: 'yaml', content });
    await vscode.window.showTextDocument(doc);
    return doc;
  }

  const badManifest = (i: number): string =>
    `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: old-${i}\n  bogusField${i}: 1\ndata:\n  a: "1"\n`;

  it("never shows a closed Untitled-N's diagnostics on the next document with that name", async function () {
    this.timeout(180_000);
    // Closing while the server is still validating (schema lookup in flight) is what left stale diagnostics:
    // close at different moments after the open, from "before the first diagnostic" to "long after".
    const delays = [0, 150, 250, 300, 350, 400, 500, 700, 1000];
    for (const [i, delay] of delays.entries()) {
      // A schema change makes the next lookup ask the cluster again, so validation takes a little while.
      await vscode.commands.executeCommand(SELECT_SOURCE, i % 2 ? 'kwb-admin' : 'window');
      const old = await openUntitled(badManifest(i));
      const uri = old.uri.toString();
      if (delay >= 1000)
        await diagnosticsOf(old.uri, (l) => l.some((d) => d.message.includes(`bogusField${i}`)), 'old diagnostics');
      else await new Promise((r) => setTimeout(r, delay));
      await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
      await eventually(`${uri} closed`, () =>
        vscode.workspace.textDocuments.some((d) => d.uri.toString() === uri) ? undefined : true,
      );
      // VS Code discards the closed document's backup asynchronously; a new document under the same name
      // opened before that gets the backup's text (checked below, so that is not mistaken for our bug).
      await new Promise((r) => setTimeout(r, 1000));

      // The same name again: once as plain YAML (never sent to the server), once as a valid manifest.
      const plain = i % 2 === 0;
      const content = plain
        ? 'name: just-yaml\nitems: [1, 2]\n'
        : 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: fresh\n';
      const next = await openUntitled(content);
      assert.equal(next.uri.toString(), uri, 'VS Code reused the untitled name');
      assert.equal(next.getText(), content, 'the new document has its own text (not a restored backup)');
      if (!plain) await schemaSource(await api(), next, /cluster kwb-admin/);
      await new Promise((r) => setTimeout(r, 1500));
      const stale = vscode.languages.getDiagnostics(next.uri);
      assert.equal(
        describeDiagnostics(stale),
        '',
        `round ${i} (closed after ${delay} ms, then ${plain ? 'plain YAML' : 'a valid manifest'})`,
      );
      await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
      await eventually(`${uri} closed`, () =>
        vscode.workspace.textDocuments.some((d) => d.uri.toString() === uri) ? undefined : true,
      );
    }
  });
});

describe('Manifest editor: a CRD created in the cluster while a manifest is open', function () {
  const group = `editor-${Date.now().toString(36)}.kwb.dev`;
  const crdName = `sprockets.${group}`;
  let crds: ApiextensionsV1Api;
  let doc: vscode.TextDocument | undefined;

  before(async function () {
    if (absent) {
      console.log(`SKIP Manifest editor CRD refresh: ${absent}`);
      this.skip();
    }
    await api();
    await vscode.commands.executeCommand(SELECT_SOURCE, 'kwb-admin');
    crds = clientConfig('kwb-admin').makeApiClient(ApiextensionsV1Api);
  });

  after(async function () {
    if (absent) return;
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    if (doc) await vscode.workspace.fs.delete(doc.uri).then(undefined, () => undefined);
    await crds.deleteCustomResourceDefinition({ name: crdName }).catch(() => undefined);
    await vscode.commands.executeCommand(SELECT_SOURCE, 'window');
  });

  it('revalidates against the new schema without an edit', async function () {
    this.timeout(120_000);
    const file = fixture(`editor/sprocket-${group}.yaml`);
    const content = `apiVersion: ${group}/v1\nkind: Sprocket\nmetadata:\n  name: s1\nspec:\n  teeth: 3\n  bogus: 1\n`;
    await vscode.workspace.fs.writeFile(file, new TextEncoder().encode(content));
    doc = await vscode.workspace.openTextDocument(file);
    await vscode.window.showTextDocument(doc);
    const uri = doc.uri;
    await diagnosticsOf(
      uri,
      (l) => l.some((d) => /Unknown apiVersion/.test(d.message)),
      'an unknown-apiVersion diagnostic before the CRD exists',
    );
    await crds.createCustomResourceDefinition({
      body: {
        metadata: { name: crdName },
        spec: {
          group,
          scope: 'Namespaced',
          names: { plural: 'sprockets', singular: 'sprocket', kind: 'Sprocket' },
          versions: [
            {
              name: 'v1',
              served: true,
              storage: true,
              schema: {
                openAPIV3Schema: {
                  type: 'object',
                  properties: { spec: { type: 'object', properties: { teeth: { type: 'integer' } } } },
                },
              },
            },
          ],
        },
      },
    });
    let last: readonly vscode.Diagnostic[] = [];
    await eventually(
      'diagnostics from the new CRD schema',
      () => {
        last = vscode.languages.getDiagnostics(uri);
        return last.some((d) => d.message.includes('bogus')) && !last.some((d) => /Unknown/.test(d.message))
          ? true
          : undefined;
      },
      60_000,
    ).catch((err: Error) => {
      throw new Error(`${err.message}; diagnostics were: ${describeDiagnostics(last) || 'none'}`);
    });
  });
});

describe('Manifest editor: offline, with the bundled schema', function () {
  let k: KubeWorkbenchApi;

  before(async function () {
    if (absent) {
      console.log(`SKIP Manifest editor offline: ${absent}`);
      this.skip();
    }
    k = await api();
    // kwb-offline points at a server that is not there: no cluster can be asked.
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.commands.executeCommand(SELECT_SOURCE, 'kwb-offline');
  });

  after(async function () {
    if (absent) return;
    await vscode.commands.executeCommand(SELECT_SOURCE, 'window');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('validates a Deployment against the bundled schema when the cluster is unreachable', async function () {
    const doc = await open('editor/deployment-bad.yaml');
    const label = await schemaSource(k, doc, /bundled/);
    assert.match(label, /bundled Kubernetes v1\.\d+ schema/);
    assert.match(k.manifests.statusOf(doc.uri)?.label ?? '', /kwb-offline unreachable/);
    await diagnosticsOf(
      doc.uri,
      (l) => l.some((d) => d.message.includes('imagePullPolicyy')),
      'a diagnostic about imagePullPolicyy from the bundled schema',
    );
    const good = await open('editor/deployment-good.yaml');
    await schemaSource(k, good, /bundled/);
    await settledEmpty(good.uri);
  });

  it('uses workspace CRDs offline, and says a kind is unknown to the bundled schema', async function () {
    const gizmo = await open('editor/gizmo-bad.yaml');
    await diagnosticsOf(gizmo.uri, (l) => l.some((d) => d.message.includes('spin')), 'a diagnostic about spin');
    const widget = await open('editor/widget-bad.yaml');
    await diagnosticsOf(
      widget.uri,
      (l) => l.some((d) => /Unknown kind "Widget".*bundled/.test(d.message)),
      'an unknown-kind diagnostic for Widget',
    );
  });

  it('switches to the bundled schema explicitly', async function () {
    await vscode.commands.executeCommand(SELECT_SOURCE, 'bundled');
    const doc = await open('editor/deployment-bad.yaml');
    await eventually('the bundled schema selected', () =>
      /bundled schema selected/.test(k.manifests.statusOf(doc.uri)?.label ?? '') ? true : undefined,
    );
  });
});
