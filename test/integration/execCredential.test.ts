import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { CoreV1Api } from '@kubernetes/client-node';
import type { Node } from '../../src/ext/views/nodes';
import { api, clientConfig, clusterAbsentReason, eventually } from './helpers';
import { childrenOf, label, resourceNames, walk } from './tree';

const absent = clusterAbsentReason();
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The kwb-exec context's plugin as the local cluster wrote it into the kubeconfig. */
function execPlugin(): { server: string; caData: string; args: string[]; env: Record<string, string> } {
  const kc = clientConfig('kwb-exec');
  const exec = kc.getCurrentUser()?.exec as
    | { command: string; args?: string[]; env?: { name: string; value: string }[] }
    | undefined;
  const cluster = kc.getCurrentCluster();
  if (!exec || !cluster?.caData) throw new Error('kwb-exec has no exec plugin or no CA in the kubeconfig');
  return {
    server: cluster.server,
    caData: cluster.caData,
    args: exec.args ?? [],
    env: Object.fromEntries((exec.env ?? []).map((e) => [e.name, e.value])),
  };
}

/** How many tokens the plugin has issued so far (it appends one line per run to $KWB_EXEC_LOG). */
function issued(log: string): number {
  try {
    return fs
      .readFileSync(log, 'utf8')
      .split('\n')
      .filter((l) => l.includes('issued token')).length;
  } catch {
    return 0;
  }
}

async function contextItem(context: string): Promise<vscode.TreeItem> {
  const { tree } = await api();
  const node = (await childrenOf(undefined)).find((n) => n.type === 'context' && n.context === context);
  if (!node) throw new Error(`no context ${context} in the tree`);
  return tree.getTreeItem(node);
}

function tooltipText(item: vscode.TreeItem): string {
  const t = item.tooltip;
  // Markdown tooltips escape punctuation: read them as the user does.
  return typeof t === 'string' ? t : (t?.value ?? '').replace(/\\(.)/g, '$1');
}

async function rowsOf(folder: Node): Promise<string[]> {
  return eventually(`rows of ${label(folder)}`, async () => {
    const names = await resourceNames(folder);
    return names.length > 0 ? names : undefined;
  });
}

describe('Exec credential plugin (kwb-exec): tokens that expire', function () {
  this.timeout(180_000);
  before(function () {
    if (absent) {
      console.log(`SKIP exec credential: ${absent}`);
      this.skip();
    }
  });

  it('keeps listing and watching after the token expires, with one plugin run per refresh and no relist', async () => {
    // exec-credential.sh reads its token lifetime from the environment of the process that runs it (this
    // extension host): 8 s instead of 60 s.
    const ttlSeconds = 8;
    process.env.KWB_TOKEN_TTL_SECONDS = String(ttlSeconds);
    const { sessions, tree } = await api();
    const core = clientConfig('kwb-admin').makeApiClient(CoreV1Api);
    const log = execPlugin().env.KWB_EXEC_LOG;
    assert.ok(log, 'the cluster sets KWB_EXEC_LOG for the plugin');
    const name = `exec-refresh-${Date.now()}`;
    try {
      sessions.reset(); // a new client: no token cached from earlier tests
      tree.refreshAll();
      const before = issued(log);

      const configMaps = await walk('kwb-exec', 'demo', 'Config', 'ConfigMaps');
      await rowsOf(configMaps);
      const listedAt = Date.now();
      assert.equal(
        issued(log) - before,
        1,
        'connecting (version, discovery, namespaces) and listing ran the plugin once',
      );
      assert.match(String((await contextItem('kwb-exec')).description), /v1\.\d+/);

      // The token was issued before the rows were shown: past this point it has expired.
      await sleep(ttlSeconds * 1000 + 1500 - (Date.now() - listedAt));
      const expiredAt = Date.now();

      // Someone else creates an object: the running watch shows it.
      await core.createNamespacedConfigMap({
        namespace: 'demo',
        body: { metadata: { name }, data: { why: 'token refresh test' } },
      });
      await eventually(`${name} in the tree`, async () =>
        (await resourceNames(configMaps)).includes(name) ? true : undefined,
      );

      // New lists need a new token: three folders opened at once run the plugin once between them.
      const folders = [
        await walk('kwb-exec', 'demo', 'Config', 'Secrets'),
        await walk('kwb-exec', 'demo', 'Workloads', 'Deployments'),
        await walk('kwb-exec', 'demo', 'Workloads', 'Pods'),
      ];
      const rows = await Promise.all(folders.map(rowsOf));
      assert.ok(rows[1]?.includes('web'), `Deployments: ${rows[1]?.join(', ')}`);
      const refreshes = issued(log) - before - 1;
      const allowed = 1 + Math.floor((Date.now() - expiredAt) / (ttlSeconds * 1000));
      assert.ok(refreshes >= 1, 'the expired token was refreshed by running the plugin again');
      assert.ok(refreshes <= allowed, `${refreshes} plugin runs after expiry, expected at most ${allowed}`);

      const session = sessions.get('kwb-exec');
      if (configMaps.type !== 'folder') throw new Error('ConfigMaps is not a folder');
      assert.equal(session.listStats(configMaps.key)?.lists, 1, 'the ConfigMaps folder was listed once, no relist');
      for (const folder of folders) {
        if (folder.type !== 'folder') continue;
        assert.equal(
          session.peek(folder.key)?.state,
          'ready',
          `${label(folder)}: ${session.peek(folder.key)?.error?.message}`,
        );
      }
      const item = await contextItem('kwb-exec');
      assert.doesNotMatch(String(item.description), /auth failed|unreachable/);
    } finally {
      delete process.env.KWB_TOKEN_TTL_SECONDS;
      await core.deleteNamespacedConfigMap({ name, namespace: 'demo' }).catch(() => undefined);
    }
  });

  it('ends as "auth failed" with the plugin\'s message when the token can no longer be refreshed', async () => {
    const plugin = execPlugin();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kwb-exec-expiring-'));
    const refuse = path.join(dir, 'refuse');
    // A plugin that issues tokens (the cluster's own plugin) until the marker file exists, then fails the way a
    // plugin fails when its token service says no: a message on stderr, a non-zero exit.
    const wrapper = path.join(dir, 'plugin.sh');
    fs.writeFileSync(
      wrapper,
      [
        '#!/bin/sh',
        'if [ -e "$KWB_REFUSE_MARK" ]; then',
        '  echo "kwb-test-plugin: the token service refused to issue a token (account disabled)" >&2',
        '  exit 1',
        'fi',
        'exec /bin/sh "$KWB_REAL_PLUGIN"',
        '',
      ].join('\n'),
    );
    const ttlSeconds = 4;
    const context = 'kwb-exec-expiring';
    const kubeconfig = path.join(dir, 'kubeconfig.json');
    fs.writeFileSync(
      kubeconfig,
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [{ name: context, cluster: { server: plugin.server, 'certificate-authority-data': plugin.caData } }],
        users: [
          {
            name: context,
            user: {
              exec: {
                apiVersion: 'client.authentication.k8s.io/v1',
                command: '/bin/sh',
                args: [wrapper],
                interactiveMode: 'Never',
                env: Object.entries({
                  ...plugin.env,
                  KWB_EXEC_LOG: path.join(dir, 'issued.log'),
                  KWB_TOKEN_TTL_SECONDS: String(ttlSeconds),
                  KWB_REAL_PLUGIN: plugin.args[0] ?? '',
                  KWB_REFUSE_MARK: refuse,
                }).map(([name, value]) => ({ name, value })),
              },
            },
          },
        ],
        contexts: [{ name: context, context: { cluster: context, user: context } }],
      }),
    );
    const settings = vscode.workspace.getConfiguration('kubeWorkbench');
    await settings.update('kubeconfigs', [kubeconfig], vscode.ConfigurationTarget.Global);
    try {
      await walk(context, 'demo');
      const connectedAt = Date.now();
      assert.match(String((await contextItem(context)).description), /v1\.\d+/);

      fs.writeFileSync(refuse, '');
      await sleep(ttlSeconds * 1000 + 1500 - (Date.now() - connectedAt));
      // The next request needs a new token, which the plugin now refuses.
      const secrets = await walk(context, 'demo', 'Config', 'Secrets');
      await childrenOf(secrets);

      const item = await eventually('the context to say auth failed', async () => {
        const it = await contextItem(context);
        return String(it.description).includes('auth failed') ? it : undefined;
      });
      assert.match(tooltipText(item), /the token service refused to issue a token \(account disabled\)/);
      const shown = await eventually('the reason under the context', async () => {
        const kids = await childrenOf(await walk(context));
        return kids.length === 1 && kids[0]?.type === 'message' ? label(kids[0]) : undefined;
      });
      assert.match(shown, /^Getting credentials for context kwb-exec-expiring failed: the credential plugin said: /);
      assert.match(shown, /kwb-test-plugin: the token service refused to issue a token \(account disabled\)/);
    } finally {
      await settings.update('kubeconfigs', undefined, vscode.ConfigurationTarget.Global);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
