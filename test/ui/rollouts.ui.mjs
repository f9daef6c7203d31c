// Rollouts and port-forwards: what a person clicks in the Clusters view, and what they see.
import assert from 'node:assert/strict';
import { AppsV1Api, KubeConfig } from '@kubernetes/client-node';
import {
  clickMenuItem,
  collapseAll,
  eventually,
  expand,
  openContextMenu,
  openViewContainer,
  row,
  rowLabels,
  treeOf,
} from './workbench.mjs';

/** Expands kwb-admin › <namespace> › <category> › <kind folder> and returns the row of `name` under it. */
async function browseTo(page, path, name) {
  const tree = treeOf(page, 'Clusters');
  await collapseAll(page, tree);
  for (const [i, label] of path.entries()) {
    const r = row(tree, label, i + 1).first();
    await r.waitFor({ state: 'visible', timeout: 60_000 });
    await expand(r);
  }
  const target = row(tree, name, path.length + 1).first();
  await target.waitFor({ state: 'visible', timeout: 60_000 });
  return { tree, target };
}

/** The context menu of `target` once RBAC answers have arrived (edit actions appear after the access review). */
async function menuWith(page, target, label) {
  return eventually(async () => {
    const items = await openContextMenu(page, target);
    if (!items.includes(label)) {
      await page.keyboard.press('Escape');
      assert.fail(`no "${label}" yet: ${items.join(', ')}`);
    }
    return items;
  }, 30_000);
}

/** Leaves the page as found: every notification toast dismissed (command palette, Clear All Notifications). */
async function clearNotifications(page) {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input').first();
  await input.waitFor({ state: 'visible' });
  await input.fill('>Notifications: Clear All Notifications');
  await page.locator('.quick-input-widget').getByRole('option').first().waitFor({ state: 'visible' });
  await input.press('Enter');
  await page.locator('.notification-toast').first().waitFor({ state: 'detached', timeout: 10_000 });
}

export default [
  {
    name: 'restarts a Deployment from its context menu and sees the rollout finish, then scales it',
    needsCluster: true,
    async run({ page, screenshot, log }) {
      await openViewContainer(page, 'Kube Workbench');
      // team-b/worker: no other test uses it.
      const path = ['kwb-admin', 'team-b', 'Workloads', 'Deployments'];
      const { tree, target } = await browseTo(page, path, 'worker');
      const items = await menuWith(page, target, 'Rollout: Restart');
      log(`context menu: ${items.join(' | ')}`);
      for (const want of ['Rollout: Undo…', 'Rollout: History and Diff…', 'Scale…', 'Set Image…', 'Port Forward…']) {
        assert.ok(items.includes(want), `"${want}" in ${items.join(', ')}`);
      }
      await clickMenuItem(page, 'Rollout: Restart');
      const toast = page.locator('.notification-toast').filter({ hasText: 'successfully rolled out' });
      await toast.first().waitFor({ state: 'visible', timeout: 60_000 });
      const text = (await toast.first().innerText()).replace(/\s+/g, ' ');
      log(`notification: ${text}`);
      assert.match(text, /Deployment "worker" successfully rolled out \(context kwb-admin\)/);
      await screenshot('rollout-restarted', toast.first());

      await openContextMenu(page, target);
      await clickMenuItem(page, 'Scale…');
      const input = page.locator('.quick-input-widget input').first();
      await input.waitFor({ state: 'visible' });
      assert.equal(await input.inputValue(), '1', 'the current replica count is prefilled');
      await screenshot('scale-input', page.locator('.quick-input-widget').first());
      await input.fill('2');
      await input.press('Enter');
      const labels = await eventually(async () => {
        const found = await rowLabels(tree, path.length + 1);
        assert.ok(
          found.some((l) => /^worker 2\/2/.test(l)),
          found.join(' | '),
        );
        return found;
      }, 60_000);
      log(`deployments: ${labels.join(' | ')}`);
      await clearNotifications(page);
    },
  },
  {
    name: 'forwards a Service port chosen from its named ports and lists it in the Port Forwards view',
    needsCluster: true,
    async run({ page, screenshot, log }) {
      await openViewContainer(page, 'Kube Workbench');
      const { target } = await browseTo(page, ['kwb-admin', 'demo', 'Network', 'Services'], 'web');
      await menuWith(page, target, 'Port Forward…');
      await clickMenuItem(page, 'Port Forward…');
      const picker = page.locator('.quick-input-widget');
      const option = picker.getByRole('option').first();
      await option.waitFor({ state: 'visible' });
      const first = (await option.innerText()).replace(/\s+/g, ' ').trim();
      log(`first port offered: ${first}`);
      assert.match(first, /^80\s*http → http/);
      await option.click();
      const input = picker.locator('input').first();
      await eventually(async () => assert.equal(await input.inputValue(), ''), 10_000);
      await input.press('Enter'); // empty: a free local port

      const toast = page.locator('.notification-toast').filter({ hasText: 'Forwarding 127.0.0.1:' });
      await toast.first().waitFor({ state: 'visible', timeout: 30_000 });
      const text = (await toast.first().innerText()).replace(/\s+/g, ' ');
      log(`notification: ${text}`);
      const port = Number(/127\.0\.0\.1:(\d+)/.exec(text)?.[1]);
      assert.ok(port > 0, text);
      const body = await (await fetch(`http://127.0.0.1:${port}/`)).text();
      log(`answer: ${body.trim()}`);
      assert.match(body, /^hello from pod demo\/web-/);

      const forwards = treeOf(page, 'Port Forwards');
      const forward = row(forwards, `127.0.0.1:${port} → service/web:80`).first();
      await forward.waitFor({ state: 'visible', timeout: 30_000 });
      await screenshot('port-forwards');
      await forward.hover();
      await forward.locator('.action-label[aria-label="Stop Port Forward"]').first().click();
      await forward.waitFor({ state: 'detached', timeout: 10_000 });
      await clearNotifications(page);
    },
  },
  {
    name: 'cancels the progress notification of a rollout that cannot finish; the rollout itself goes on',
    needsCluster: true,
    async run({ page, cluster, screenshot, log }) {
      // Someone else creates a Deployment whose pods can never be scheduled (no node has the label), so the
      // rollout a restart starts stays in progress for its whole progress deadline.
      const kc = new KubeConfig();
      kc.loadFromFile(cluster.kubeconfigPath);
      kc.setCurrentContext('kwb-admin');
      const apps = kc.makeApiClient(AppsV1Api);
      const name = `stuck-${Date.now().toString(36)}`;
      await apps.createNamespacedDeployment({
        namespace: 'team-b',
        body: {
          metadata: { name },
          spec: {
            replicas: 1,
            selector: { matchLabels: { app: name } },
            template: {
              metadata: { labels: { app: name } },
              spec: { nodeSelector: { 'kwb.dev/no-such-node': 'true' }, containers: [{ name: 'web', image: 'nginx' }] },
            },
          },
        },
      });
      try {
        await openViewContainer(page, 'Kube Workbench');
        const { target } = await browseTo(page, ['kwb-admin', 'team-b', 'Workloads', 'Deployments'], name);
        await menuWith(page, target, 'Rollout: Restart');
        await clickMenuItem(page, 'Rollout: Restart');

        const toast = page.locator('.notification-toast').filter({ hasText: `Rollout of Deployment "${name}"` });
        await toast.first().waitFor({ state: 'visible', timeout: 30_000 });
        // The live status names the pod that cannot be scheduled before the user gives up on it.
        const text = await eventually(async () => {
          const t = (await toast.first().innerText()).replace(/\s+/g, ' ');
          assert.match(t, new RegExp(`${name}-[a-z0-9-]+: Unschedulable`));
          return t;
        }, 30_000);
        log(`progress: ${text}`);
        await screenshot('rollout-progress-stuck', toast.first());

        await toast.first().getByRole('button', { name: 'Cancel' }).click();
        await toast.first().waitFor({ state: 'detached', timeout: 10_000 });
        const status = page
          .locator('.statusbar-item')
          .filter({ hasText: `Stopped following the rollout of ${name}; the rollout goes on` });
        await status.first().waitFor({ state: 'visible', timeout: 5_000 });
        log(`status bar: ${(await status.first().innerText()).trim()}`);
        await screenshot('rollout-cancelled', page.locator('.part.statusbar'));

        // Cancel stops following, not the rollout: the restart is on the Deployment, its new pods still pending.
        const live = await apps.readNamespacedDeployment({ namespace: 'team-b', name });
        assert.ok(live.spec?.template.metadata?.annotations?.['kubectl.kubernetes.io/restartedAt'], 'restarted');
        assert.notEqual(live.status?.updatedReplicas === 1 && live.status?.availableReplicas === 1, true);
      } finally {
        await apps.deleteNamespacedDeployment({ namespace: 'team-b', name }).catch(() => undefined);
        await clearNotifications(page).catch(() => undefined);
      }
    },
  },
];
