// The Clusters view: what a person sees after clicking "Kube Workbench" in the activity bar.
import assert from 'node:assert/strict';
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

const startsWithName = (label, name) => label === name || label.startsWith(`${name} `) || label.startsWith(`${name},`);

export default [
  {
    name: 'the activity bar opens the Clusters view with every kubeconfig context',
    async run({ page, contexts, screenshot, log }) {
      await openViewContainer(page, 'Kube Workbench');
      const tree = treeOf(page, 'Clusters');
      await tree.waitFor({ state: 'visible', timeout: 60_000 });
      for (const name of contexts) await row(tree, name, 1).first().waitFor({ state: 'visible', timeout: 60_000 });
      for (const name of contexts) assert.ok(await row(tree, name, 1).first().isVisible(), `${name} row visible`);
      const labels = await rowLabels(tree, 1);
      log(`root rows: ${labels.join(' | ')}`);
      const names = contexts.filter((n) => labels.some((l) => startsWithName(l, n)));
      assert.deepEqual(names.sort(), [...contexts].sort(), `root rows: ${labels.join(' | ')}`);
      assert.equal(labels.length, contexts.length, `exactly one root row per context: ${labels.join(' | ')}`);
      await screenshot('clusters-view');
    },
  },
  {
    name: 'kwb-offline shows why it is unreachable',
    async run({ page, log }) {
      const tree = treeOf(page, 'Clusters');
      const offline = row(tree, 'kwb-offline', 1).first();
      await expand(offline);
      const message = await eventually(async () => {
        const kids = await rowLabels(tree, 2);
        const m = kids.find((k) => /refused|unreachable|failed|cannot|error/i.test(k));
        assert.ok(m, `children of kwb-offline: ${kids.join(' | ') || '(none)'}`);
        return m;
      }, 30_000);
      log(`kwb-offline: ${message}`);
      await offline.click();
      await offline.press('ArrowLeft');
    },
  },
  {
    name: 'expanding kwb-admin shows the live cluster',
    needsCluster: true,
    async run({ page, screenshot, log }) {
      const tree = treeOf(page, 'Clusters');
      const admin = row(tree, 'kwb-admin', 1).first();
      await expand(admin);
      const children = await eventually(async () => {
        const kids = await rowLabels(tree, 2);
        assert.ok(kids.length > 0, 'kwb-admin has children');
        assert.ok(!kids.some((k) => /connecting|loading/i.test(k)), `still loading: ${kids.join(' | ')}`);
        return kids;
      }, 60_000);
      log(`kwb-admin children: ${children.join(' | ')}`);
      assert.ok(
        !children.some((k) => /refused|unreachable|failed|forbidden|error/i.test(k)),
        `kwb-admin is healthy: ${children.join(' | ')}`,
      );
      // Open the first folder below (the cluster scope), so the screenshot shows resources too.
      const first = tree.locator('[role="treeitem"][aria-level="2"]').first();
      if ((await first.getAttribute('aria-expanded')) === 'false') {
        await expand(first);
        await eventually(async () => assert.ok((await rowLabels(tree, 3)).length > 0, 'level-3 rows'), 30_000).catch(
          () => {},
        );
      }
      await screenshot('cluster-expanded');
    },
  },
  {
    name: 'browses to a Deployment and opens its live YAML from the context menu',
    needsCluster: true,
    async run({ page, screenshot, log }) {
      await openViewContainer(page, 'Kube Workbench');
      const tree = treeOf(page, 'Clusters');
      await collapseAll(page, tree);
      // kwb-admin › demo › Workloads › Deployments › web (seeded by test/cluster/seed.yaml)
      const path = ['kwb-admin', 'demo', 'Workloads', 'Deployments'];
      for (const [i, name] of path.entries()) {
        const r = row(tree, name, i + 1).first();
        await r.waitFor({ state: 'visible', timeout: 60_000 });
        await expand(r);
      }
      const web = row(tree, 'web', path.length + 1).first();
      await web.waitFor({ state: 'visible', timeout: 60_000 });
      log(`deployments: ${(await rowLabels(tree, path.length + 1)).join(' | ')}`);
      await screenshot('workloads');

      const items = await openContextMenu(page, web);
      log(`context menu: ${items.join(' | ')}`);
      for (const want of ['Open YAML', 'Describe']) assert.ok(items.includes(want), `"${want}" in ${items.join(', ')}`);
      await clickMenuItem(page, 'Open YAML');

      const editor = page.locator('.editor-instance .monaco-editor .view-lines').first();
      const text = await eventually(async () => {
        const t = (await editor.innerText()).replace(/\u00a0/g, ' ');
        assert.match(t, /kind: Deployment/, 'the editor shows the Deployment');
        assert.match(t, /name: web/);
        return t;
      }, 30_000);
      log(`editor: ${text.split('\n').slice(0, 3).join(' / ')}`);
      await screenshot('resource-yaml');
    },
  },
  {
    name: 'the status bar switches the window to another context, and the tree menu switches it back',
    async run({ page, contexts, screenshot, log }) {
      const statusItem = (name) =>
        page.locator('.part.statusbar .statusbar-item').filter({ hasText: new RegExp(`\\b${name}\\b`) });
      const [first, other] = [contexts[0], contexts.find((c) => c !== contexts[0] && c !== 'kwb-offline')];
      await statusItem(first).first().waitFor({ state: 'visible' });
      log(`status bar: ${(await statusItem(first).first().innerText()).trim()}`);

      await statusItem(first).first().locator('a, [role="button"]').first().click();
      const picker = page.locator('.quick-input-widget');
      await picker.waitFor({ state: 'visible' });
      const options = picker.getByRole('option');
      await options.first().waitFor({ state: 'visible' });
      const labels = await options.evaluateAll((els) =>
        els.map((e) => e.querySelector('.label-name')?.textContent?.trim() ?? e.getAttribute('aria-label') ?? ''),
      );
      log(`quick pick: ${labels.join(' | ')}`);
      for (const c of contexts) assert.ok(labels.includes(c), `${c} offered in the quick pick: ${labels.join(', ')}`);
      await screenshot('context-picker');
      await page.keyboard.type(other);
      await options
        .filter({ has: page.locator('.label-name', { hasText: new RegExp(`^${other}$`) }) })
        .first()
        .click();
      await picker.waitFor({ state: 'hidden' });

      await statusItem(other).first().waitFor({ state: 'visible' });
      await openViewContainer(page, 'Kube Workbench');
      const tree = treeOf(page, 'Clusters');
      // Earlier tests leave kwb-admin expanded: its rows would push the other contexts out of the rendered list.
      await collapseAll(page, tree);
      await eventually(async () => {
        const roots = await rowLabels(tree, 1);
        assert.ok(
          roots.some((r) => r.startsWith(`${other} `) && /current/.test(r)),
          `${other} marked current: ${roots.join(' | ')}`,
        );
      }, 15_000);

      // Back to the first context through the row's context menu.
      const items = await openContextMenu(page, row(tree, first, 1).first());
      log(`context menu of ${first}: ${items.join(' | ')}`);
      await clickMenuItem(page, 'Use Context in This Window');
      await statusItem(first).first().waitFor({ state: 'visible' });
      assert.equal(await statusItem(other).count(), 0, `the status bar no longer shows ${other}`);
    },
  },
];
