import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { api, clusterAbsentReason, eventually } from './helpers';
import { walk } from './tree';
import type { Node } from '../../src/ext/views/nodes';

const absent = clusterAbsentReason();

async function contextValueOf(path: string[]): Promise<{ value: string; tooltip: string }> {
  const { tree } = await api();
  const node = await walk(...path);
  const item = tree.getTreeItem(node);
  return { value: item.contextValue ?? '', tooltip: typeof item.tooltip === 'string' ? item.tooltip : '' };
}

describe('RBAC-aware actions and the production guard', function () {
  before(function () {
    if (absent) {
      console.log(`SKIP RBAC-aware actions: ${absent}`);
      this.skip();
    }
  });

  it('offers edit and delete where RBAC allows them, and says why not where it does not', async () => {
    const admin = await eventually('kwb-admin permissions', async () => {
      const { value } = await contextValueOf(['kwb-admin', 'team-a', 'Workloads', 'Deployments', 'api']);
      return /can:delete/.test(value) ? value : undefined;
    });
    assert.match(admin, /\bcan:edit\b/);
    const viewer = await eventually('kwb-viewer permissions', async () => {
      const item = await contextValueOf(['kwb-viewer', 'team-a', 'Workloads', 'Deployments', 'api']);
      return /Cannot delete/.test(item.tooltip) ? item : undefined;
    });
    assert.doesNotMatch(viewer.value, /can:(edit|delete)/);
    assert.match(viewer.tooltip, /may not delete deployments\.apps in namespace team-a/);
  });

  it('a read-only context offers no changes and refuses a save, keeping the text', async () => {
    // The document is opened and edited first; then the context becomes read-only, then the user saves.
    const node: Node = await walk('kwb-admin', 'demo', 'Config', 'ConfigMaps', 'web-config');
    await vscode.commands.executeCommand('kubeWorkbench.openResource', node);
    const editor = await eventually('the document', () => {
      const e = vscode.window.activeTextEditor;
      return e?.document.uri.scheme === 'kubeWorkbench' && e.document.uri.path.endsWith('/web-config.yaml')
        ? e
        : undefined;
    });
    assert.ok(await editor.edit((b) => b.insert(new vscode.Position(editor.document.lineCount, 0), '# changed\n')));
    const settings = vscode.workspace.getConfiguration('kubeWorkbench');
    await settings.update('readOnlyContexts', ['kwb-adm*'], vscode.ConfigurationTarget.Global);
    try {
      const item = await eventually('the read-only item', async () => {
        const found = await contextValueOf(['kwb-admin', 'demo', 'Config', 'ConfigMaps', 'web-config']);
        return /read-only/.test(found.tooltip) ? found : undefined;
      });
      assert.doesNotMatch(item.value, /can:/);
      const saved = await editor.document.save();
      assert.equal(saved, false, 'the save is refused');
      assert.ok(editor.document.isDirty, 'the text is kept');
      assert.match(editor.document.getText(), /# changed/);
    } finally {
      await settings.update('readOnlyContexts', undefined, vscode.ConfigurationTarget.Global);
      await vscode.window.showTextDocument(editor.document);
      await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    }
    const back = await eventually('edit offered again', async () => {
      const found = await contextValueOf(['kwb-admin', 'demo', 'Config', 'ConfigMaps', 'web-config']);
      return /can:edit/.test(found.value) ? found : undefined;
    });
    assert.match(back.value, /can:delete/);
  });
});
