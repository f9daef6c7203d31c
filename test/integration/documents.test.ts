import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { CoreV1Api, type V1ConfigMap, type V1Secret } from '@kubernetes/client-node';
import { api, clientConfig, clusterAbsentReason, eventually } from './helpers';
import type { ObjectRef } from '../../src/core/resources/objectRef';
import { describeUri, resourceUri } from '../../src/ext/documents/resourceFileSystem';

const absent = clusterAbsentReason();
const CONTEXT = 'kwb-admin';
const NAMESPACE = 'demo';

/** Someone else: a client of its own (client-node, the same kubeconfig), not the extension. */
function otherClient(): CoreV1Api {
  return clientConfig(CONTEXT).makeApiClient(CoreV1Api);
}

async function replaceText(doc: vscode.TextDocument, text: string): Promise<void> {
  const edit = new vscode.WorkspaceEdit();
  edit.replace(doc.uri, new vscode.Range(0, 0, doc.lineCount, 0), text);
  assert.ok(await vscode.workspace.applyEdit(edit), 'the edit applies');
}

async function revertAndClose(doc: vscode.TextDocument): Promise<void> {
  await vscode.window.showTextDocument(doc);
  await vscode.commands.executeCommand('workbench.action.files.revert');
  await vscode.commands.executeCommand('workbench.action.closeAllEditors');
}

describe('Objects as documents against the local control plane', function () {
  const suffix = Date.now().toString(36);
  const cmName = `kwb-doc-${suffix}`;
  const secretName = `kwb-doc-secret-${suffix}`;
  const cmRef: ObjectRef = {
    context: CONTEXT,
    group: '',
    version: 'v1',
    plural: 'configmaps',
    kind: 'ConfigMap',
    namespace: NAMESPACE,
    name: cmName,
  };
  const secretRef: ObjectRef = { ...cmRef, plural: 'secrets', kind: 'Secret', name: secretName };
  let core: CoreV1Api;

  before(async function () {
    if (absent) {
      console.log(`SKIP Objects as documents: ${absent}`);
      this.skip();
    }
    core = otherClient();
    await core.createNamespacedConfigMap({
      namespace: NAMESPACE,
      body: { metadata: { name: cmName, labels: { test: 'documents' } }, data: { greeting: 'hello', keep: 'me' } },
    });
    await core.createNamespacedSecret({
      namespace: NAMESPACE,
      body: {
        metadata: { name: secretName },
        type: 'Opaque',
        data: {
          password: Buffer.from('s3cr3t-value').toString('base64'),
          blob: Buffer.from([0, 1, 2, 0xff]).toString('base64'),
        },
      },
    });
  });

  after(async function () {
    if (absent) return;
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    for (const remove of [
      () => core.deleteNamespacedConfigMap({ name: cmName, namespace: NAMESPACE }),
      () => core.deleteNamespacedSecret({ name: secretName, namespace: NAMESPACE }),
    ]) {
      await remove().catch(() => undefined); // already deleted by the test
    }
  });

  it('opens a ConfigMap as YAML without managedFields, and saving changes the cluster', async () => {
    const { documents } = await api();
    const editor = await documents.open(cmRef);
    const doc = editor.document;
    assert.equal(doc.uri.toString(), resourceUri(cmRef).toString());
    assert.equal(doc.languageId, 'yaml');
    const text = doc.getText();
    assert.match(text, new RegExp(`name: ${cmName}`));
    assert.match(text, /resourceVersion: "\d+"/);
    assert.doesNotMatch(text, /managedFields/);

    await replaceText(doc, text.replace('greeting: hello', 'greeting: edited in the editor'));
    assert.ok(doc.isDirty);
    assert.equal(await doc.save(), true, 'the save succeeds');

    const live: V1ConfigMap = await core.readNamespacedConfigMap({ name: cmName, namespace: NAMESPACE });
    assert.equal(live.data?.greeting, 'edited in the editor');
    assert.equal(live.data?.keep, 'me');
    // The document is read again and shows the new resourceVersion, so the next save needs no conflict.
    await eventually('the document to show the new resourceVersion', () =>
      doc.getText().includes(`resourceVersion: "${live.metadata?.resourceVersion}"`) ? true : undefined,
    );
    assert.equal(doc.isDirty, false);
  });

  it('detects a change made by someone else: the save fails, the text is kept, the cluster keeps theirs', async () => {
    const { documents } = await api();
    const doc = (await documents.open(cmRef)).document;
    await replaceText(doc, doc.getText().replace('keep: me', 'keep: mine'));

    const theirs = await core.readNamespacedConfigMap({ name: cmName, namespace: NAMESPACE });
    theirs.data = { ...theirs.data, keep: 'theirs' };
    await core.replaceNamespacedConfigMap({ name: cmName, namespace: NAMESPACE, body: theirs });

    assert.equal(await doc.save(), false, 'the save fails');
    assert.ok(doc.isDirty, 'the editor keeps the unsaved text');
    assert.match(doc.getText(), /keep: mine/);
    const live = await core.readNamespacedConfigMap({ name: cmName, namespace: NAMESPACE });
    assert.equal(live.data?.keep, 'theirs', 'the other change is not overwritten');
    await eventually('the conflict diff to open', () =>
      vscode.workspace.textDocuments.find(
        (d) => d.uri.scheme === 'kubeWorkbench-conflict' && d.getText().includes('keep: theirs'),
      ),
    );

    // Saving over theirs on purpose: take their resourceVersion, as the error message says.
    const rv = live.metadata?.resourceVersion ?? '';
    await replaceText(doc, doc.getText().replace(/resourceVersion: "\d+"/, `resourceVersion: "${rv}"`));
    assert.equal(await doc.save(), true, 'the save with their resourceVersion succeeds');
    const after = await core.readNamespacedConfigMap({ name: cmName, namespace: NAMESPACE });
    assert.equal(after.data?.keep, 'mine');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('refuses a rename with a clear message and keeps the text', async () => {
    const { documents } = await api();
    const doc = (await documents.open(cmRef)).document;
    await replaceText(doc, doc.getText().replace(`name: ${cmName}`, `name: ${cmName}-renamed`));
    assert.equal(await doc.save(), false);
    assert.ok(doc.isDirty);
    await revertAndClose(doc);
  });

  it('describes with an Events section, as a read-only plain text document', async () => {
    await vscode.commands.executeCommand('kubeWorkbench.describeResource', resourceUri(cmRef));
    const doc = await eventually('the describe document', () =>
      vscode.workspace.textDocuments.find((d) => d.uri.toString() === describeUri(cmRef).toString()),
    );
    assert.equal(doc.languageId, 'plaintext');
    const text = doc.getText();
    assert.match(text, new RegExp(`^Name: +${cmName}$`, 'm'));
    assert.match(text, /^Namespace: +demo$/m);
    assert.match(text, /^Events:$/m);
    assert.match(text, /greeting +\d+ bytes/);

    // A Deployment of the seed has events from its controller.
    const { documents } = await api();
    const web: ObjectRef = { ...cmRef, group: 'apps', plural: 'deployments', kind: 'Deployment', name: 'web' };
    const described = await documents.describe(web);
    assert.match(described.document.getText(), /^Replicas: /m);
    assert.match(described.document.getText(), /^Events:\n {2}(TYPE|<none>)/m);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('shows Secrets masked and read-only; revealed they are decoded, and saving encodes them', async () => {
    const { documents } = await api();
    const masked = (await documents.open(secretRef)).document;
    const maskedText = masked.getText();
    assert.doesNotMatch(maskedText, /s3cr3t-value/);
    assert.doesNotMatch(maskedText, new RegExp(Buffer.from('s3cr3t-value').toString('base64')));
    assert.match(maskedText, /password: •••••• \(12 bytes\)/);
    const stat = await vscode.workspace.fs.stat(masked.uri);
    assert.equal(stat.permissions, vscode.FilePermission.Readonly);

    // Revealing asks once per document, saying where decoded text can go; declining reveals nothing.
    const questions: string[] = [];
    const ask = (answer: boolean) => (q: string, d: string) => {
      questions.push(`${q}\n${d}`);
      return Promise.resolve(answer);
    };
    await assert.rejects(documents.open(secretRef, { reveal: true, confirmReveal: ask(false) }), /cancelled/);
    assert.ok(
      !vscode.workspace.textDocuments.some((d) => d.uri.toString() === resourceUri(secretRef, true).toString()),
    );
    await documents.open(secretRef, { reveal: true, preview: false, confirmReveal: ask(true) });
    await documents.open(secretRef, { reveal: true, preview: false, confirmReveal: ask(true) });
    assert.equal(questions.length, 2, 'asked once for the refusal and once for the reveal, not again');
    assert.match(
      questions[1]!,
      /Show the values of Secret .* decoded\?[\s\S]*hot exit[\s\S]*other extensions[\s\S]*clipboard/,
    );
    const revealed = await eventually('the revealed Secret', () =>
      vscode.workspace.textDocuments.find((d) => d.uri.toString() === resourceUri(secretRef, true).toString()),
    );
    assert.match(revealed.getText(), /stringData:\n {2}password: s3cr3t-value/);
    assert.match(revealed.getText(), /data:\n {2}blob: AAEC\/w==/);
    await replaceText(revealed, revealed.getText().replace('password: s3cr3t-value', 'password: n3w-value'));
    assert.equal(await revealed.save(), true);
    const live: V1Secret = await core.readNamespacedSecret({ name: secretName, namespace: NAMESPACE });
    assert.equal(Buffer.from(live.data?.password ?? '', 'base64').toString('utf8'), 'n3w-value');
    assert.equal(live.data?.blob, 'AAEC/w==', 'binary values are kept as they were');
    await eventually('the masked view to be read again', () =>
      masked.getText().includes('password: •••••• (9 bytes)') ? true : undefined,
    );
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('deletes after a confirmation naming context, namespace and object', async () => {
    const { documents } = await api();
    const questions: string[] = [];
    const deleted = await documents.confirmAndDelete(cmRef, {
      confirm: (question) => {
        questions.push(question);
        return Promise.resolve(true);
      },
    });
    assert.equal(deleted, true);
    assert.equal(questions.length, 1);
    assert.match(questions[0]!, new RegExp(`ConfigMap "${cmName}" in namespace "demo" on context "kwb-admin"`));
    await eventually('the ConfigMap to be gone', async () => {
      try {
        await core.readNamespacedConfigMap({ name: cmName, namespace: NAMESPACE });
        return undefined;
      } catch (err) {
        return (err as { code?: number }).code === 404 ? true : undefined;
      }
    });

    const declined = await documents.confirmAndDelete(secretRef, { confirm: () => Promise.resolve(false) });
    assert.equal(declined, false);
    await core.readNamespacedSecret({ name: secretName, namespace: NAMESPACE }); // still there
  });
});
