import * as assert from 'node:assert/strict';
import { AppsV1Api } from '@kubernetes/client-node';
import { api, clientConfig, clusterAbsentReason, eventually } from './helpers';
import { childrenOf, label, resourceNames, walk } from './tree';

const absent = clusterAbsentReason();

function admin(): AppsV1Api {
  return clientConfig('kwb-admin').makeApiClient(AppsV1Api);
}

describe('Cluster explorer (tree contents, live updates, RBAC)', function () {
  before(function () {
    if (absent) {
      console.log(`SKIP Cluster explorer: ${absent}`);
      this.skip();
    }
  });

  it('shows Cluster, All namespaces and each namespace under a context', async () => {
    await walk('kwb-admin', 'demo');
    const scopes = (await childrenOf(await walk('kwb-admin'))).map(label);
    for (const expected of ['cluster', 'allNamespaces', 'default', 'demo', 'team-a', 'team-b']) {
      assert.ok(scopes.includes(expected), `${expected} in ${scopes.join(', ')}`);
    }
  });

  it('groups kinds found by discovery, CRDs under Custom Resources by API group', async () => {
    const categories = (await childrenOf(await walk('kwb-admin', 'demo'))).map(label);
    assert.deepEqual(
      categories.filter((c) =>
        ['Workloads', 'Network', 'Config', 'Storage', 'Access', 'Custom Resources', 'Events'].includes(c),
      ),
      ['Workloads', 'Network', 'Config', 'Storage', 'Access', 'Custom Resources', 'Events'],
    );
    const workloads = (await childrenOf(await walk('kwb-admin', 'demo', 'Workloads'))).map(label);
    assert.deepEqual(workloads, [
      'Deployments',
      'StatefulSets',
      'DaemonSets',
      'ReplicaSets',
      'Pods',
      'Jobs',
      'CronJobs',
    ]);
    const widgets = await walk('kwb-admin', 'demo', 'Custom Resources', 'demo.kwb.dev', 'Widget');
    assert.deepEqual(
      await eventually('widgets', async () => {
        const names = await resourceNames(widgets);
        return names.length >= 2 ? names : undefined;
      }),
      ['medium', 'small'],
    );
    const cluster = (await childrenOf(await walk('kwb-admin', 'cluster'))).map(label);
    for (const kind of ['Nodes', 'Namespaces', 'CustomResourceDefinitions', 'PersistentVolumes', 'ClusterRoles']) {
      assert.ok(cluster.includes(kind), `${kind} under Cluster: ${cluster.join(', ')}`);
    }
  });

  it('starts a watch only for the folder the user expands', async () => {
    const { sessions } = await api();
    const workloads = await walk('kwb-admin', 'team-b', 'Workloads');
    const folders = await childrenOf(workloads);
    const { tree } = await api();
    for (const f of folders) tree.getTreeItem(f); // painting the folders, as VS Code does
    const session = sessions.get('kwb-admin');
    const keyOf = (name: string) => {
      const f = folders.find((n) => label(n) === name);
      if (f?.type !== 'folder') throw new Error(`no folder ${name}`);
      return f.key;
    };
    assert.equal(session.isWatching(keyOf('StatefulSets')), false, 'a collapsed folder is not watched');
    await walk('kwb-admin', 'team-b', 'Workloads', 'Deployments', 'worker');
    assert.equal(session.isWatching(keyOf('Deployments')), true);
    assert.equal(session.isWatching(keyOf('CronJobs')), false);
  });

  it('expands a Deployment to its ReplicaSet and Pods, and a Service to the Pods it selects', async () => {
    const web = await walk('kwb-admin', 'demo', 'Workloads', 'Deployments', 'web');
    const replicaSets = await eventually('the ReplicaSets of web', async () => {
      const kids = (await childrenOf(web)).filter((k) => k.type === 'resource');
      return kids.length > 0 ? kids : undefined;
    });
    const pods = await eventually('the Pods of the newest ReplicaSet', async () => {
      for (const rs of replicaSets) {
        const names = await resourceNames(rs);
        if (names.length >= 3) return names;
      }
      return undefined;
    });
    assert.ok(pods.every((p) => p.startsWith('web-')));
    const service = await walk('kwb-admin', 'demo', 'Network', 'Services', 'web');
    const selected = await eventually('pods selected by service web', async () => {
      const names = await resourceNames(service);
      return names.length >= 3 ? names : undefined;
    });
    assert.ok(
      selected.every((p) => p.startsWith('web-')),
      selected.join(', '),
    );
  });

  it('follows a Deployment being created, scaled and deleted, live', async () => {
    const { tree } = await api();
    const folder = await walk('kwb-admin', 'demo', 'Workloads', 'Deployments');
    await eventually('the folder to be listed', async () =>
      (await resourceNames(folder)).includes('web') ? true : undefined,
    );
    let refreshes = 0;
    const listener = tree.onDidChangeTreeData((changed) => {
      // By id: another suite may have rebuilt the tree's nodes (refreshAll) since `folder` was read.
      if (changed === undefined || (Array.isArray(changed) ? changed : [changed]).some((n) => n.id === folder.id))
        refreshes++;
    });
    const apps = admin();
    const name = `live-${Date.now().toString(36)}`;
    try {
      await apps.createNamespacedDeployment({
        namespace: 'demo',
        body: {
          metadata: { name, labels: { app: name } },
          spec: {
            replicas: 1,
            selector: { matchLabels: { app: name } },
            template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'busybox' }] } },
          },
        },
      });
      await eventually('the new deployment in the tree', async () =>
        (await resourceNames(folder)).includes(name) ? true : undefined,
      );
      // The snapshot is read directly above; the refresh of the folder follows within the throttle.
      await eventually('the tree to be told to refresh the folder', () => (refreshes > 0 ? true : undefined), 5_000);

      await apps.patchNamespacedDeploymentScale({
        namespace: 'demo',
        name,
        body: [{ op: 'replace', path: '/spec/replicas', value: 2 }],
      });
      const status = await eventually(
        'the scaled deployment to show 2/2 ready',
        async () => {
          const node = (await childrenOf(folder)).find((k) => label(k) === name);
          return node?.type === 'resource' && node.row.status.startsWith('2/2') ? node.row.status : undefined;
        },
        60_000,
      );
      assert.match(status, /^2\/2 ready/);
    } finally {
      await apps.deleteNamespacedDeployment({ namespace: 'demo', name }).catch(() => undefined);
      listener.dispose();
    }
    await eventually('the deleted deployment to leave the tree', async () =>
      (await resourceNames(folder)).includes(name) ? undefined : true,
    );
  });

  it('filters a folder by label and by name', async () => {
    const { tree } = await api();
    const pods = await walk('kwb-admin', 'demo', 'Workloads', 'Pods');
    await eventually('pods', async () => ((await resourceNames(pods)).length > 3 ? true : undefined));
    tree.setFilter(pods, 'app=web');
    try {
      const names = await resourceNames(pods);
      assert.ok(names.length >= 3 && names.every((n) => n.startsWith('web-')), names.join(', '));
      tree.setFilter(pods, 'DB-');
      assert.deepEqual(await resourceNames(pods), ['db-0', 'db-1']);
    } finally {
      tree.setFilter(pods, undefined);
    }
  });

  it('for kwb-viewer, falls back to its namespace, says why once, and lists what RBAC allows', async () => {
    const viewer = await walk('kwb-viewer');
    const kids = await eventually('viewer namespaces', async () => {
      const k = await childrenOf(viewer);
      return k.some((n) => n.type === 'message' && /Namespaces cannot be listed/.test(n.text)) ? k : undefined;
    });
    const messages = kids.filter((k) => k.type === 'message');
    assert.equal(messages.length, 1, 'one explanation, not one per folder');
    assert.match(label(messages[0]!), /forbidden.*team-a/);
    assert.ok(kids.some((k) => label(k) === 'team-a'));
    assert.ok(!kids.some((k) => label(k) === 'team-b'));
    const apiDeployments = await walk('kwb-viewer', 'team-a', 'Workloads', 'Deployments');
    assert.deepEqual(
      await eventually('team-a deployments', async () => {
        const names = await resourceNames(apiDeployments);
        return names.length > 0 ? names : undefined;
      }),
      ['api'],
    );
  });
});
