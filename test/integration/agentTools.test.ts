import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { AppsV1Api, CoreV1Api } from '@kubernetes/client-node';
import { api, clientConfig, clusterAbsentReason, eventually, simpleDeployment } from './helpers';

const absent = clusterAbsentReason();
const CONTEXT = 'kwb-admin';
const NS = 'demo';

/** Every tool the extension contributes (package.json) and registers. */
const TOOLS = [
  'kwb_list_contexts',
  'kwb_list_objects',
  'kwb_get_object',
  'kwb_describe',
  'kwb_warning_events',
  'kwb_logs',
  'kwb_rollout_status',
  'kwb_rollout_history',
  'kwb_dry_run_apply',
  'kwb_apply',
  'kwb_scale',
  'kwb_rollout_restart',
  'kwb_rollout_undo',
  'kwb_delete',
];

/** Calls a tool as a chat participant would (no language model needed) and returns its text. */
async function invoke(name: string, input: Record<string, unknown>): Promise<string> {
  const result = await vscode.lm.invokeTool(name, { input, toolInvocationToken: undefined });
  return result.content.map((part) => (part instanceof vscode.LanguageModelTextPart ? part.value : '')).join('');
}

/** The message of a tool call that failed (it must fail). */
async function failure(name: string, input: Record<string, unknown>): Promise<string> {
  try {
    const answer = await invoke(name, input);
    assert.fail(`${name} was expected to fail, and answered:\n${answer}`);
  } catch (err) {
    if (err instanceof assert.AssertionError) throw err;
    return err instanceof Error ? err.message : String(err);
  }
}

describe('Agent tools through vscode.lm.invokeTool (real cluster)', function () {
  this.timeout(120_000);
  const id = Date.now().toString(36);
  const deployment = `agent-${id}`;
  const configMap = `agent-cm-${id}`;
  const settings = (): vscode.WorkspaceConfiguration => vscode.workspace.getConfiguration('kubeWorkbench');
  const apps = (): AppsV1Api => clientConfig(CONTEXT).makeApiClient(AppsV1Api);
  const core = (): CoreV1Api => clientConfig(CONTEXT).makeApiClient(CoreV1Api);
  const setting = (key: string, value: unknown): Thenable<void> =>
    settings().update(key, value, vscode.ConfigurationTarget.Global);

  before(async function () {
    if (absent) {
      console.log(`SKIP agent tools: ${absent}`);
      this.skip();
    }
    await api();
    await apps().createNamespacedDeployment({
      namespace: NS,
      body: simpleDeployment(deployment),
    });
  });

  after(async () => {
    if (absent) return;
    await setting('readOnlyContexts', undefined);
    await setting('agent.allowedContexts', undefined);
    await setting('agent.allowChanges', undefined);
    await apps()
      .deleteNamespacedDeployment({ namespace: NS, name: deployment })
      .catch(() => undefined);
    await core()
      .deleteNamespacedConfigMap({ namespace: NS, name: configMap })
      .catch(() => undefined);
  });

  it('registers every tool with VS Code', () => {
    const names = new Set(vscode.lm.tools.map((t) => t.name));
    assert.deepEqual(
      TOOLS.filter((t) => !names.has(t)),
      [],
    );
  });

  it('lists contexts and objects from the watch cache as compact, deterministic rows', async () => {
    const contexts = await invoke('kwb_list_contexts', {});
    assert.match(contexts, /^kwb-admin\b/m);
    assert.match(contexts, /^kwb-viewer\b/m);

    const pods = await invoke('kwb_list_objects', { kind: 'PODS', namespace: NS });
    console.log(`      ${pods.split('\n').slice(0, 3).join('\n      ')}`);
    assert.match(pods, /^Pod: \d+ matching in namespace demo of kwb-admin/);
    assert.match(pods, /^NAMESPACE\tNAME\tSTATUS\tCREATED\tCONTROLLER$/m);
    assert.match(pods, /^demo\tstandalone\tRunning 2\/2\t\S+\t-$/m);
    assert.match(pods, /^demo\tweb-[a-z0-9]+-[a-z0-9]+\tRunning[^\t]*\t\S+\tReplicaSet\/web-[a-z0-9]+$/m);
    assert.equal(
      await invoke('kwb_list_objects', { kind: 'PODS', namespace: NS }),
      pods,
      'the same cache, the same answer',
    );

    const web = await invoke('kwb_list_objects', { kind: 'po', namespace: NS, labelSelector: 'app in (web)' });
    const rows = web.split('\n').filter((l) => l.startsWith('demo\t'));
    assert.ok(rows.length >= 1 && rows.every((l) => /\tweb-/.test(l)), web);

    const both = await invoke('kwb_list_objects', {
      kind: 'deployments.apps',
      contexts: ['kwb-admin', 'kwb-viewer'],
      namespace: NS,
      name: 'web',
    });
    assert.match(both, /^kwb-admin\tdemo\tweb\t/m);
    // kwb-viewer may not list Deployments: its answer says so, and the other context's rows are still there.
    assert.match(both, /^kwb-viewer: .*forbidden/m);
  });

  it('reads one object without managedFields and with Secret values masked, whatever case the kind is written in', async () => {
    const secret = await invoke('kwb_get_object', { kind: 'SECRET', namespace: NS, name: 'web-credentials' });
    assert.match(secret, /kind: Secret/);
    assert.match(secret, /password: ••••••/);
    assert.doesNotMatch(secret, /not-a-real-password|bm90LWEtcmVhbC1wYXNzd29yZA/);
    assert.doesNotMatch(secret, /managedFields/);
    const fields = await invoke('kwb_get_object', {
      kind: 'Deployment',
      namespace: NS,
      name: 'web',
      fields: ['spec.replicas', 'metadata.labels'],
    });
    assert.match(fields, /^spec\.replicas: \d+$/m);
    assert.doesNotMatch(fields, /containers/);
  });

  it('describes, lists warnings, reads logs, rollout status and history', async () => {
    const described = await invoke('kwb_describe', { kind: 'deploy', namespace: NS, name: 'web' });
    assert.match(described, /^Name:\s+web$/m);
    assert.match(await invoke('kwb_warning_events', { namespace: NS }), /warning events? in namespace demo/);
    const log = await eventually('log lines of demo/standalone', async () => {
      const answer = await invoke('kwb_logs', { namespace: NS, pod: 'standalone', container: 'main', tailLines: 5 });
      return /^\d+ lines? of demo\/standalone \(main\)\n.+/.test(answer) ? answer : undefined;
    });
    assert.ok(!log.includes('\u001b'), 'no escape sequences');
    assert.match(
      await invoke('kwb_rollout_status', { kind: 'Deployment', namespace: NS, name: 'web' }),
      /rolled out|Waiting/,
    );
    assert.match(
      await invoke('kwb_rollout_history', { kind: 'Deployment', namespace: NS, name: 'web' }),
      /^REVISION\tCREATED\tCHANGE-CAUSE\tIMAGES$/m,
    );
  });

  it('previews an apply with a diff and changes nothing', async () => {
    const added = `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: web-config, namespace: demo}\ndata: {EXTRA: x}\n`;
    const preview = await invoke('kwb_dry_run_apply', { manifest: added });
    assert.match(preview, /ConfigMap demo\/web-config: would be configured/);
    assert.match(preview, /^\+\s+EXTRA: x$/m);
    // A field another manager owns is a conflict: reported, shown as what forcing would make, not forced.
    const owned = `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: web-config, namespace: demo}\ndata: {LOG_LEVEL: debug}\n`;
    const conflict = await invoke('kwb_dry_run_apply', { manifest: owned });
    assert.match(conflict, /ConfigMap demo\/web-config: CONFLICT — .*data\.LOG_LEVEL/);
    assert.match(conflict, /^-\s+LOG_LEVEL: info\n\+\s+LOG_LEVEL: debug$/m);
    const live = await core().readNamespacedConfigMap({ namespace: NS, name: 'web-config' });
    assert.equal(live.data?.LOG_LEVEL, 'info');
    assert.equal(live.data?.EXTRA, undefined);
  });

  it('confirms each change naming context, namespace and object, then applies, scales, restarts, undoes and deletes', async () => {
    const { agentTools } = await api();
    const scaleInput = { kind: 'Deployment', namespace: NS, name: deployment, replicas: 2 };
    const confirmation = await agentTools.confirmation('kwb_scale', scaleInput);
    assert.ok(confirmation);
    assert.equal(confirmation.title, `Scale Deployment ${deployment} to 2?`);
    assert.match(confirmation.message, /Context: kwb-admin\nNamespace: demo\nObject: Deployment agent-/);

    assert.match(await invoke('kwb_scale', scaleInput), /scaled/);
    assert.equal((await apps().readNamespacedDeployment({ namespace: NS, name: deployment })).spec?.replicas, 2);

    assert.match(
      await invoke('kwb_rollout_restart', { kind: 'Deployment', namespace: NS, name: deployment }),
      /restarted/,
    );
    const restarted = await apps().readNamespacedDeployment({ namespace: NS, name: deployment });
    assert.ok(restarted.spec?.template.metadata?.annotations?.['kubectl.kubernetes.io/restartedAt']);
    await eventually('two revisions', async () => {
      const h = await invoke('kwb_rollout_history', { kind: 'Deployment', namespace: NS, name: deployment });
      return /^2\t/m.test(h) ? h : undefined;
    });
    assert.match(
      await invoke('kwb_rollout_undo', { kind: 'Deployment', namespace: NS, name: deployment }),
      /rolled back/,
    );
    const undone = await apps().readNamespacedDeployment({ namespace: NS, name: deployment });
    assert.equal(undone.spec?.template.metadata?.annotations?.['kubectl.kubernetes.io/restartedAt'], undefined);

    const manifest = `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ${configMap}}\ndata: {A: "1"}\n`;
    const applyConfirmation = await agentTools.confirmation('kwb_apply', { manifest, namespace: NS });
    assert.match(
      applyConfirmation?.message ?? '',
      new RegExp(`context "kwb-admin" \\(default namespace demo\\):\\n- ConfigMap demo/${configMap}`),
    );
    assert.match(await invoke('kwb_apply', { manifest, namespace: NS }), /Applied 1 on kwb-admin/);
    assert.equal((await core().readNamespacedConfigMap({ namespace: NS, name: configMap })).data?.A, '1');

    assert.match(await invoke('kwb_delete', { kind: 'configmaps', namespace: NS, name: configMap }), /deleted/);
    await eventually('the ConfigMap gone', async () =>
      core()
        .readNamespacedConfigMap({ namespace: NS, name: configMap })
        .then(
          () => undefined,
          () => true,
        ),
    );
  });

  it('refuses every change on a read-only context and changes nothing', async () => {
    await setting('readOnlyContexts', ['kwb-adm*']);
    try {
      const before = JSON.stringify((await apps().readNamespacedDeployment({ namespace: NS, name: deployment })).spec);
      const target = { kind: 'Deployment', namespace: NS, name: deployment };
      const manifest = `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ${configMap}, namespace: demo}\n`;
      for (const [tool, input] of [
        ['kwb_scale', { ...target, replicas: 5 }],
        ['kwb_rollout_restart', target],
        ['kwb_rollout_undo', target],
        ['kwb_delete', target],
      ] as const) {
        assert.match(await failure(tool, input), /read-only in Kube Workbench/, tool);
      }
      const applied = await invoke('kwb_apply', { manifest });
      assert.match(applied, /failed 1/);
      assert.match(applied, /read-only in Kube Workbench/);
      assert.equal(
        JSON.stringify((await apps().readNamespacedDeployment({ namespace: NS, name: deployment })).spec),
        before,
      );
      await assert.rejects(core().readNamespacedConfigMap({ namespace: NS, name: configMap }));
    } finally {
      await setting('readOnlyContexts', undefined);
    }
  });

  it('cannot be talked past its policy: odd names, cluster-scoped deletes, a Namespace in a manifest, other contexts', async () => {
    assert.match(
      await failure('kwb_delete', { kind: 'Pod', namespace: NS, name: '..' }),
      /not a valid|cannot be|may not/i,
    );
    assert.match(await failure('kwb_delete', { kind: 'NAMESPACE', name: NS }), /cluster-scoped/);
    assert.match(await failure('kwb_delete', { kind: 'namespaces', namespace: NS, name: NS }), /cluster-scoped/);
    await core().readNamespace({ name: NS }); // still there
    const withNamespace = `apiVersion: v1\nkind: Namespace\nmetadata: {name: agent-ns-${id}}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: ${configMap}, namespace: demo}\n`;
    const applied = await invoke('kwb_apply', { manifest: withNamespace });
    assert.match(applied, /Namespace agent-ns-\S+: FAILED — .*cluster-scoped/);
    await assert.rejects(core().readNamespace({ name: `agent-ns-${id}` }));
    await core()
      .deleteNamespacedConfigMap({ namespace: NS, name: configMap })
      .catch(() => undefined);

    await setting('agent.allowedContexts', ['kwb-viewer']);
    try {
      assert.match(
        await failure('kwb_list_objects', { kind: 'Pod', contexts: ['kwb-admin'] }),
        /not allowed for agents/,
      );
      assert.doesNotMatch(await invoke('kwb_list_contexts', {}), /kwb-admin/);
    } finally {
      await setting('agent.allowedContexts', undefined);
    }
    await setting('agent.allowChanges', false);
    try {
      assert.match(
        await failure('kwb_scale', { kind: 'Deployment', namespace: NS, name: deployment, replicas: 4 }),
        /changes are off for agents/,
      );
    } finally {
      await setting('agent.allowChanges', undefined);
    }
    assert.notEqual((await apps().readNamespacedDeployment({ namespace: NS, name: deployment })).spec?.replicas, 4);
  });
});
