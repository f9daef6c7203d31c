import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { clusterAbsentReason, eventually } from './helpers';
import { childrenOf, label } from './tree';
import type { Node } from '../../src/ext/views/nodes';

const absent = clusterAbsentReason();

describe('Clusters view against the local control plane', function () {
  before(function () {
    if (absent) {
      console.log(`SKIP Clusters view: ${absent}`);
      this.skip();
    }
  });

  it('lists every context of the kubeconfig', async () => {
    const roots = await childrenOf(undefined);
    assert.deepEqual(roots.map(label).sort(), ['kwb-admin', 'kwb-exec', 'kwb-offline', 'kwb-viewer']);
  });

  it('adds kubeconfig files from the settings and says once, at the top, what is wrong with them', async () => {
    const settings = vscode.workspace.getConfiguration('kubeWorkbench');
    await settings.update('kubeconfigs', ['/nonexistent/kwb-extra.yaml'], vscode.ConfigurationTarget.Global);
    try {
      const top = await eventually('the warning row', async () => {
        const first = (await childrenOf(undefined))[0];
        return first?.type === 'message' ? first : undefined;
      });
      assert.match(label(top), /^1 kubeconfig problem: \/nonexistent\/kwb-extra\.yaml does not exist$/);
      const contexts = (await childrenOf(undefined)).filter((n) => n.type === 'context');
      assert.equal(contexts.length, 4, 'the good file still loads');
    } finally {
      await settings.update('kubeconfigs', undefined, vscode.ConfigurationTarget.Global);
    }
    await eventually('the warning to go', async () =>
      (await childrenOf(undefined))[0]?.type === 'context' ? true : undefined,
    );
  });

  it('connects kwb-admin, lists its nodes as Ready, live', async () => {
    const roots = await childrenOf(undefined);
    const admin = roots.find((n) => label(n) === 'kwb-admin');
    assert.ok(admin);
    const folders = await eventually('kwb-admin to connect', async () => {
      const kids = await childrenOf(admin);
      return kids.some((k) => k.type === 'scope') ? kids : undefined;
    });
    const cluster = folders.find((n) => label(n) === 'cluster');
    assert.ok(cluster, `children: ${folders.map(label).join(', ')}`);
    const nodesFolder = (await childrenOf(cluster)).find((n) => label(n) === 'Nodes');
    assert.ok(nodesFolder, 'a Nodes folder under Cluster');
    const nodes = await eventually('nodes to be listed', async () => {
      const kids = await childrenOf(nodesFolder);
      return kids.some((k) => k.type === 'resource') ? kids : undefined;
    });
    const rows = nodes.filter((n): n is Extract<Node, { type: 'resource' }> => n.type === 'resource');
    assert.ok(rows.length >= 1);
    for (const row of rows) assert.match(row.row.status, /^Ready/, `${row.row.name}: ${row.row.status}`);
  });

  it('shows why kwb-offline is unreachable, quickly, without blocking the others', async () => {
    const roots = await childrenOf(undefined);
    const offline = roots.find((n) => label(n) === 'kwb-offline');
    assert.ok(offline);
    const started = Date.now();
    const message = await eventually(
      'kwb-offline to fail',
      async () => {
        const kids = await childrenOf(offline);
        const error = kids.find((k) => k.type === 'message' && k.severity === 'error');
        return error ? label(error) : undefined;
      },
      15_000,
    );
    assert.match(message, /kwb-offline failed: connection refused/);
    assert.ok(Date.now() - started < 10_000, 'an unreachable cluster fails fast');
  });

  it('shows a forbidden folder for kwb-viewer instead of retrying forever', async () => {
    const roots = await childrenOf(undefined);
    const viewer = roots.find((n) => label(n) === 'kwb-viewer');
    assert.ok(viewer);
    const folders = await eventually('kwb-viewer to connect', async () => {
      const kids = await childrenOf(viewer);
      return kids.some((k) => k.type === 'scope') ? kids : undefined;
    });
    const cluster = folders.find((n) => label(n) === 'cluster');
    assert.ok(cluster);
    const nodesFolder = (await childrenOf(cluster)).find((n) => label(n) === 'Nodes');
    assert.ok(nodesFolder);
    const message = await eventually('the forbidden message', async () => {
      const kids = await childrenOf(nodesFolder);
      const error = kids.find((k) => k.type === 'message' && k.severity === 'error');
      return error ? label(error) : undefined;
    });
    assert.match(message, /forbidden/i);
    assert.match(message, /HTTP 403/);
  });
});
