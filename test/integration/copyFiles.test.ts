import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { api, clusterAbsentReason } from './helpers';

const absent = clusterAbsentReason();
const pod = { context: 'kwb-admin', namespace: 'demo', name: 'standalone', container: 'main' };

/** The local cluster runs exec as local processes in a sandbox, so a folder of this machine is the container's. */
describe('Copy files to and from a container (real cluster)', function () {
  this.timeout(60_000);
  before(async function () {
    if (absent) {
      console.log(`SKIP copy files: ${absent}`);
      this.skip();
    }
    await api();
  });

  it('copies a file into a container and back, byte for byte', async () => {
    const local = fs.mkdtempSync(path.join(os.tmpdir(), 'kwb-copy-local-'));
    const remote = fs.mkdtempSync(path.join(os.tmpdir(), 'kwb-copy-remote-'));
    const back = fs.mkdtempSync(path.join(os.tmpdir(), 'kwb-copy-back-'));
    const data = Buffer.from(Array.from({ length: 300_000 }, (_, i) => i % 251));
    fs.writeFileSync(path.join(local, 'payload.bin'), data);

    const sent = await vscode.commands.executeCommand<{ message: string } | undefined>('kubeWorkbench.copyToPod', {
      ...pod,
      localPath: path.join(local, 'payload.bin'),
      remotePath: remote,
    });
    assert.match(sent?.message ?? '', /Copied payload\.bin \(293\.0 KiB\) to standalone:/);
    assert.deepEqual(fs.readFileSync(path.join(remote, 'payload.bin')), data, 'the container got the file');

    const got = await vscode.commands.executeCommand<{ message: string; files: string[] } | undefined>(
      'kubeWorkbench.copyFromPod',
      { ...pod, remotePath: path.join(remote, 'payload.bin'), localPath: back },
    );
    assert.deepEqual(got?.files, ['payload.bin']);
    assert.deepEqual(fs.readFileSync(path.join(back, 'payload.bin')), data, 'the same bytes came back');
    await vscode.commands.executeCommand('notifications.clearAll');
  });

  it('says what went wrong when the path is not there, and writes nothing', async () => {
    const back = fs.mkdtempSync(path.join(os.tmpdir(), 'kwb-copy-back-'));
    // Through the command service itself: a failed command shows its message in a notification that waits.
    const { streams } = await api();
    await assert.rejects(
      streams.copyFrom({ ...pod, kind: 'Pod', remotePath: '/no/such/kwb/path', localPath: back }),
      /Copying from container "main" of pod "standalone" in namespace "demo" failed: tar: .*No such file or directory/,
    );
    assert.deepEqual(fs.readdirSync(back), []);
    await vscode.commands.executeCommand('notifications.clearAll');
  });

  it('is refused on a read-only context, both ways, before anything is sent', async () => {
    const { streams } = await api();
    const remote = fs.mkdtempSync(path.join(os.tmpdir(), 'kwb-copy-remote-'));
    const local = fs.mkdtempSync(path.join(os.tmpdir(), 'kwb-copy-local-'));
    fs.writeFileSync(path.join(local, 'f.txt'), 'x');
    const settings = vscode.workspace.getConfiguration('kubeWorkbench');
    await settings.update('readOnlyContexts', ['kwb-admin'], vscode.ConfigurationTarget.Global);
    try {
      await assert.rejects(
        streams.copyTo({ ...pod, kind: 'Pod', localPath: path.join(local, 'f.txt'), remotePath: remote }),
        /read-only in Kube Workbench/,
      );
      await assert.rejects(
        streams.copyFrom({ ...pod, kind: 'Pod', remotePath: path.join(local, 'f.txt'), localPath: remote }),
        /read-only in Kube Workbench/,
      );
      assert.deepEqual(fs.readdirSync(remote), []);
    } finally {
      await settings.update('readOnlyContexts', undefined, vscode.ConfigurationTarget.Global);
    }
  });
});
