import * as assert from 'node:assert/strict';
import * as http from 'node:http';
import * as vscode from 'vscode';
import { AppsV1Api, CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import { api, clientConfig, clusterAbsentReason, eventually } from './helpers';
import { walk } from './tree';
import type { ForwardState } from '../../src/core/portforward/portForward';

const absent = clusterAbsentReason();

const kubeconfig = (): KubeConfig => clientConfig('kwb-admin');

/** One HTTP GET to the local end of a forward; the pod behind it answers `hello from pod <ns>/<pod>`. */
function get(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/', agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve(body));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.setTimeout(20_000, () => req.destroy(new Error('no answer through the forward')));
  });
}

describe('Port forward (real cluster, through the API server)', function () {
  this.timeout(120_000);
  const started: string[] = [];

  before(function () {
    if (absent) {
      console.log(`SKIP Port forward: ${absent}`);
      this.skip();
    }
  });

  afterEach(async () => {
    for (const id of started.splice(0)) await vscode.commands.executeCommand('kubeWorkbench.stopPortForward', id);
  });

  async function forward(target: unknown, remotePort: number, localPort = 0): Promise<ForwardState> {
    const state = await vscode.commands.executeCommand<ForwardState | undefined>('kubeWorkbench.portForward', target, {
      remotePort,
      localPort,
    });
    assert.ok(state, 'the forward started');
    started.push(state.id);
    return state;
  }

  it('forwards from a Pod (tree item) on a free local port, lists it, and stops it', async () => {
    const node = await walk('kwb-admin', 'demo', 'Workloads', 'Pods', 'standalone');
    const state = await forward(node, 8080);
    assert.ok(state.localPort > 0);
    assert.equal(await get(state.localPort), 'hello from pod demo/standalone\n');
    const { portForwards } = await api();
    const listed = portForwards.list().find((s) => s.id === state.id);
    assert.ok(listed);
    const item = portForwards.getTreeItem(listed);
    assert.equal(item.label, `127.0.0.1:${state.localPort} → pod/standalone:8080`);
    assert.equal(item.contextValue, 'portForward');

    assert.equal(await vscode.commands.executeCommand('kubeWorkbench.stopPortForward', state.id), true);
    started.splice(started.indexOf(state.id), 1);
    assert.equal(
      portForwards.list().some((s) => s.id === state.id),
      false,
    );
    await assert.rejects(get(state.localPort), /ECONNREFUSED/);
  });

  it('forwards from a Service to a Ready pod it selects, through a named targetPort, on the chosen local port', async () => {
    const probe = http.createServer();
    const free = await new Promise<number>((resolve) =>
      probe.listen(0, '127.0.0.1', () => {
        const address = probe.address();
        resolve(typeof address === 'object' && address ? address.port : 0);
      }),
    );
    await new Promise((r) => probe.close(r));
    const state = await forward({ context: 'kwb-admin', namespace: 'demo', kind: 'Service', name: 'web' }, 80, free);
    assert.equal(state.localPort, free);
    assert.match(await get(free), /^hello from pod demo\/web-[a-z0-9]+-[a-z0-9]+\n$/);
  });

  it('a forward to a Deployment moves to a new pod when its pod is replaced', async () => {
    const kc = kubeconfig();
    const apps = kc.makeApiClient(AppsV1Api);
    const core = kc.makeApiClient(CoreV1Api);
    const name = `pf-${Date.now().toString(36)}`;
    await apps.createNamespacedDeployment({
      namespace: 'demo',
      body: {
        metadata: { name },
        spec: {
          replicas: 1,
          selector: { matchLabels: { app: name } },
          template: {
            metadata: { labels: { app: name } },
            spec: { containers: [{ name: 'web', image: 'nginx', ports: [{ name: 'http', containerPort: 80 }] }] },
          },
        },
      },
    });
    try {
      const readyPod = async (): Promise<string | undefined> => {
        const pods = await core.listNamespacedPod({ namespace: 'demo', labelSelector: `app=${name}` });
        const pod = pods.items.find(
          (p) =>
            !p.metadata?.deletionTimestamp &&
            p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'),
        );
        return pod?.metadata?.name;
      };
      const first = await eventually('a Ready pod', readyPod, 60_000);
      const state = await forward({ context: 'kwb-admin', namespace: 'demo', kind: 'Deployment', name }, 80);
      assert.equal(await get(state.localPort), `hello from pod demo/${first}\n`);

      await core.deleteNamespacedPod({ namespace: 'demo', name: first, gracePeriodSeconds: 0 });
      const second = await eventually(
        'a new Ready pod',
        async () => {
          const pod = await readyPod();
          return pod && pod !== first ? pod : undefined;
        },
        60_000,
      );
      // The forward notices on its own (the view shows the pod in use), before any new connection.
      const { portForwards } = await api();
      await eventually('the forward to use the new pod', () =>
        portForwards.list().find((s) => s.id === state.id)?.pod === second ? true : undefined,
      );
      assert.equal(await get(state.localPort), `hello from pod demo/${second}\n`);
    } finally {
      await apps.deleteNamespacedDeployment({ namespace: 'demo', name }).catch(() => undefined);
    }
  });
});
