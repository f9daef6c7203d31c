/**
 * The MCP server as an MCP client runs it: `node dist/mcp.js` (the file the .vsix ships) on stdio, driven by the
 * official SDK's client, against the local cluster. Its policy must hold whatever the arguments say.
 *
 *   node scripts/esbuild.mjs && node --import tsx --test test/cluster/mcp.test.ts
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { ADMIT_EVERYTHING } from '../../src/core/kube/changeGuard';
import { ClusterClient } from '../../src/core/kube/clusterClient';
import { loadKubeconfig } from '../../src/core/kube/kubeconfig';
import { startCluster, type LocalCluster } from './index';

const SERVER = 'dist/mcp.js';
let cluster: LocalCluster;
let admin: ClusterClient;
const clients: Client[] = [];

async function connect(args: string[]): Promise<Client> {
  const client = new Client({ name: 'kube-workbench-test', version: '0.0.0' });
  await client.connect(
    new StdioClientTransport({
      command: process.execPath,
      args: [SERVER, ...args],
      env: { KUBECONFIG: cluster.kubeconfigPath, PATH: process.env.PATH ?? '' },
      stderr: 'ignore',
    }),
  );
  clients.push(client);
  return client;
}

async function call(
  client: Client,
  name: string,
  args: Record<string, unknown>,
): Promise<{ text: string; error: boolean }> {
  const result = await client.callTool({ name, arguments: args });
  const content = result.content as { type: string; text?: string }[];
  return { text: content.map((c) => c.text ?? '').join(''), error: result.isError === true };
}

interface Deployment {
  spec?: { replicas?: number };
}

const replicasOf = async (ns: string, name: string): Promise<number | undefined> =>
  (await admin.getJson<Deployment>(`/apis/apps/v1/namespaces/${ns}/deployments/${name}`)).spec?.replicas;

describe('kube-workbench-mcp over stdio (real cluster)', () => {
  before(async () => {
    assert.ok(existsSync(SERVER), `${SERVER} is missing: build it first (node scripts/esbuild.mjs)`);
    cluster = await startCluster({ seed: true });
    admin = new ClusterClient(
      'kwb-admin',
      loadKubeconfig([cluster.kubeconfigPath]).kubeConfigFor('kwb-admin'),
      ADMIT_EVERYTHING,
    );
  });

  after(async () => {
    for (const c of clients) await c.close().catch(() => undefined);
    admin?.dispose();
    await cluster?.stop();
  });

  it('is read-only by default: offers no change tool and refuses one called anyway', async () => {
    const client = await connect([]);
    const { tools } = await client.listTools();
    const names = tools.map((t) => t.name);
    assert.ok(names.includes('kwb_list_objects') && names.includes('kwb_logs'), names.join(', '));
    assert.deepEqual(
      names.filter((n) =>
        ['kwb_apply', 'kwb_scale', 'kwb_rollout_restart', 'kwb_rollout_undo', 'kwb_delete'].includes(n),
      ),
      [],
    );
    assert.ok(tools.every((t) => t.annotations?.readOnlyHint === true));

    const pods = await call(client, 'kwb_list_objects', { kind: 'pods', namespace: 'demo', contexts: ['kwb-admin'] });
    assert.equal(pods.error, false, pods.text);
    assert.match(pods.text, /^demo\tstandalone\t/m);
    const again = await call(client, 'kwb_list_objects', { kind: 'pods', namespace: 'demo', contexts: ['kwb-admin'] });
    assert.equal(again.text, pods.text, 'the same cache state, the same answer');

    const before = await replicasOf('demo', 'web');
    const scaled = await call(client, 'kwb_scale', {
      context: 'kwb-admin',
      kind: 'Deployment',
      namespace: 'demo',
      name: 'web',
      replicas: 7,
    });
    assert.equal(scaled.error, true);
    assert.match(scaled.text, /changes are off for agents/);
    assert.equal(await replicasOf('demo', 'web'), before);
  });

  it('with changes allowed, changes what it is asked on allowed contexts and nothing else', async () => {
    const client = await connect([
      '--context',
      'kwb-admin',
      '--context',
      'kwb-viewer',
      '--allow-changes',
      '--read-only-context',
      'kwb-viewer',
    ]);
    const listed = await call(client, 'kwb_list_contexts', {});
    assert.match(listed.text, /^kwb-admin/m);
    assert.doesNotMatch(listed.text, /kwb-exec|kwb-offline/);

    const scaled = await call(client, 'kwb_scale', {
      context: 'kwb-admin',
      kind: 'deployments.apps',
      namespace: 'team-a',
      name: 'api',
      replicas: 3,
    });
    assert.equal(scaled.error, false, scaled.text);
    assert.equal(await replicasOf('team-a', 'api'), 3);

    const refusals: [string, Record<string, unknown>, RegExp][] = [
      ['kwb_delete', { context: 'kwb-admin', kind: 'Namespace', name: 'team-b' }, /cluster-scoped/],
      [
        'kwb_delete',
        { context: 'kwb-admin', kind: 'NAMESPACES', namespace: 'team-b', name: 'team-b' },
        /cluster-scoped/,
      ],
      ['kwb_delete', { context: 'kwb-admin', kind: 'Secret', namespace: 'demo', name: '..' }, /may not be "\.\."/],
      ['kwb_delete', { context: 'kwb-admin', kind: 'Secret', namespace: '..', name: 'x' }, /may not be "\.\."/],
      [
        'kwb_delete',
        { context: 'kwb-exec', kind: 'Pod', namespace: 'demo', name: 'standalone' },
        /not allowed for agents/,
      ],
      [
        'kwb_scale',
        { context: 'kwb-viewer', kind: 'Deployment', namespace: 'team-b', name: 'worker', replicas: 0 },
        /read-only/,
      ],
      ['kwb_list_objects', { kind: 'Pod', contexts: ['kwb-offline'] }, /not allowed for agents/],
    ];
    for (const [tool, args, expected] of refusals) {
      const r = await call(client, tool, args);
      assert.equal(r.error, true, `${tool} ${JSON.stringify(args)} answered: ${r.text}`);
      assert.match(r.text, expected, `${tool} ${JSON.stringify(args)}`);
    }
    await admin.getJson('/api/v1/namespaces/team-b');
    assert.equal(await replicasOf('team-b', 'worker'), 1);

    // A manifest that carries a Namespace: the namespaced document is applied, the Namespace is refused and said so.
    const manifest =
      'apiVersion: v1\nkind: Namespace\nmetadata: {name: mcp-made}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: mcp-made, namespace: team-b}\ndata: {A: "1"}\n';
    const applied = await call(client, 'kwb_apply', { context: 'kwb-admin', manifest });
    assert.match(applied.text, /Applied 1, failed 1 on kwb-admin/);
    assert.match(applied.text, /Namespace mcp-made: FAILED — .*cluster-scoped/);
    await assert.rejects(admin.getJson('/api/v1/namespaces/mcp-made'));
    await admin.getJson('/api/v1/namespaces/team-b/configmaps/mcp-made');
  });

  it('enables only the change tools it is given', async () => {
    const client = await connect(['--tool', 'kwb_scale']);
    const names = (await client.listTools()).tools.map((t) => t.name);
    assert.ok(names.includes('kwb_scale'));
    assert.ok(!names.includes('kwb_delete'));
    const deleted = await call(client, 'kwb_delete', {
      context: 'kwb-admin',
      kind: 'ConfigMap',
      namespace: 'team-b',
      name: 'worker-config',
    });
    assert.equal(deleted.error, true);
    assert.match(deleted.text, /not enabled for agents/);
    await admin.getJson('/api/v1/namespaces/team-b/configmaps/worker-config');
  });
});
