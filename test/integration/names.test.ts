import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { CoreV1Api } from '@kubernetes/client-node';
import { api, clientConfig, clusterAbsentReason } from './helpers';

const absent = clusterAbsentReason();
const CONTEXT = 'kwb-admin';

/**
 * Names are data: a manifest document named "." or ".." must never become a request. On a real kube-apiserver
 * `DELETE …/secrets/.` is `DELETE …/secrets/` (every Secret of the namespace) and `DELETE …/pods/..` is the
 * namespace itself. These run the real delete path against the real server and check what is still there.
 */
describe('Names are validated before they become URLs (real cluster)', function () {
  this.timeout(120_000);
  const id = Date.now().toString(36);
  const ns = `kwb-names-${id}`;
  const core = (): CoreV1Api => clientConfig(CONTEXT).makeApiClient(CoreV1Api);

  function manifest(text: string): vscode.Uri {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'kwb-names-')), 'objects.yaml');
    fs.writeFileSync(file, text);
    return vscode.Uri.file(file);
  }

  before(async function () {
    if (absent) {
      console.log(`SKIP names: ${absent}`);
      this.skip();
    }
    await core().createNamespace({ body: { metadata: { name: ns } } });
    for (const name of ['db-password', 'api-token'])
      await core().createNamespacedSecret({ namespace: ns, body: { metadata: { name }, stringData: { v: 'x' } } });
    await core().createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'victim-cm' } } });
  });

  after(async () => {
    if (!absent)
      await core()
        .deleteNamespace({ name: ns })
        .catch(() => undefined);
  });

  it('Delete Objects in Manifest fails "." and ".." documents with their lines and deletes only the valid one', async () => {
    const uri = manifest(
      [
        `apiVersion: v1\nkind: Secret\nmetadata:\n  name: "."\n  namespace: ${ns}`,
        `apiVersion: v1\nkind: Pod\nmetadata:\n  name: ".."\n  namespace: ${ns}`,
        `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: victim-cm\n  namespace: ${ns}`,
      ].join('\n---\n'),
    );
    const { apply } = await api();
    let detail = '';
    const report = await apply.deleteFromManifest([uri], {
      context: CONTEXT,
      notify: false,
      confirmDelete: (_q, d) => {
        detail = d;
        return Promise.resolve(true);
      },
    });
    assert.ok(report);
    const byLine = [...report.results].sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
    assert.deepEqual(
      byLine.map((r) => [r.status, r.line]),
      [
        ['failed', 4],
        ['failed', 10],
        ['deleted', 13],
      ],
    );
    assert.match(byLine[0]!.message ?? '', /metadata\.name "\." is not a valid name: it may not be "\."/);
    assert.match(byLine[1]!.message ?? '', /metadata\.name "\.\." is not a valid name/);
    assert.doesNotMatch(detail, /Secret|Pod/, 'only objects that can be addressed are offered for deletion');
    // Nothing else went: both Secrets and the namespace are there, the ConfigMap is gone.
    const secrets = (await core().listNamespacedSecret({ namespace: ns })).items.map((s) => s.metadata?.name).sort();
    assert.deepEqual(secrets, ['api-token', 'db-password']);
    assert.equal((await core().readNamespace({ name: ns })).status?.phase, 'Active');
    await assert.rejects(core().readNamespacedConfigMap({ namespace: ns, name: 'victim-cm' }));
  });

  it('the delete confirmation names every object, not the first few', async () => {
    const names = Array.from({ length: 40 }, (_, i) => `many-${i}`);
    const uri = manifest(
      names.map((n) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${n}\n  namespace: ${ns}`).join('\n---\n'),
    );
    const { apply } = await api();
    let detail = '';
    const declined = await apply.deleteFromManifest([uri], {
      context: CONTEXT,
      notify: false,
      confirmDelete: (_q, d) => {
        detail = d;
        return Promise.resolve(false);
      },
    });
    assert.equal(declined, undefined);
    for (const n of names) assert.match(detail, new RegExp(`ConfigMap ${ns}/${n}\\n`));
    assert.doesNotMatch(detail, /more/);
  });

  it('a tree delete sends the uid it saw: an object deleted and created again under the name stays', async () => {
    const name = `uid-${id}`;
    const first = await core().createNamespacedConfigMap({ namespace: ns, body: { metadata: { name } } });
    await core().deleteNamespacedConfigMap({ namespace: ns, name });
    const second = await core().createNamespacedConfigMap({ namespace: ns, body: { metadata: { name } } });
    assert.notEqual(first.metadata?.uid, second.metadata?.uid);
    const { documents } = await api();
    const ref = {
      context: CONTEXT,
      group: '',
      version: 'v1',
      plural: 'configmaps',
      kind: 'ConfigMap',
      namespace: ns,
      name,
    };
    await assert.rejects(
      documents.confirmAndDelete(ref, { uid: first.metadata?.uid, confirm: () => Promise.resolve(true) }),
      /the UID in the precondition .* does not match the UID in record/,
    );
    assert.equal((await core().readNamespacedConfigMap({ namespace: ns, name })).metadata?.uid, second.metadata?.uid);
  });
});
