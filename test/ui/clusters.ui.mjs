// The Clusters view: what a person sees after clicking "Kube Workbench" in the activity bar.
import assert from 'node:assert/strict';
import { eventually, expand, openViewContainer, row, rowLabels, treeOf } from './workbench.mjs';

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
];
