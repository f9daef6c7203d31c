// The Helm releases of a namespace: the seeded release (scripts/helm.mjs: kwb-demo in helm-demo, two revisions)
// with its chart, version, status and revision, expanded to the live objects of its manifest.
import assert from 'node:assert/strict';
import { collapseAll, eventually, expand, openViewContainer, row, rowLabels, treeOf } from './workbench.mjs';

export default [
  {
    name: 'the Helm Releases folder shows the seeded release, expanded to its live objects',
    needsCluster: true,
    async run({ page, screenshot, log }) {
      await openViewContainer(page, 'Kube Workbench');
      const tree = treeOf(page, 'Clusters');
      await collapseAll(page, tree);
      const path = ['kwb-admin', 'helm-demo', 'Helm Releases'];
      for (const [i, name] of path.entries()) {
        const r = row(tree, name, i + 1).first();
        await r.waitFor({ state: 'visible', timeout: 60_000 });
        await expand(r);
      }
      const release = row(tree, 'kwb-demo', path.length + 1).first();
      await release.waitFor({ state: 'visible', timeout: 60_000 });
      const label = await release.getAttribute('aria-label');
      log(`release row: ${label}`);
      assert.match(label ?? '', /kwb-demo-0\.1\.0/, 'the chart and version are shown');
      assert.match(label ?? '', /deployed/, 'the status is shown');
      await expand(release);
      const objects = await eventually(async () => {
        const kids = await rowLabels(tree, path.length + 2);
        assert.ok(
          kids.some((k) => k.startsWith('kwb-demo-web')),
          `the release's objects: ${kids.join(' | ') || '(none)'}`,
        );
        assert.ok(!kids.some((k) => /loading/i.test(k)), `still loading: ${kids.join(' | ')}`);
        return kids;
      }, 60_000);
      log(`objects: ${objects.join(' | ')}`);
      await screenshot('helm-releases');
    },
  },
];
