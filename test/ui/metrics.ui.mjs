// Metrics: CPU and memory of pods in the Clusters view (from metrics-server), and the Top document of a namespace.
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

export default [
  {
    name: 'pods show CPU and memory, and Top lists a namespace by usage',
    needsCluster: true,
    async run({ page, screenshot, log }) {
      await openViewContainer(page, 'Kube Workbench');
      const tree = treeOf(page, 'Clusters');
      await tree.waitFor({ state: 'visible', timeout: 60_000 });
      await collapseAll(page, tree);
      // Wider, so that the descriptions (status · CPU · memory) show whole; narrowed back at the end.
      const widened = await dragSidebarEdge(page, 260);
      await expand(row(tree, 'kwb-admin', 1).first());
      const demo = row(tree, 'demo', 2).first();
      await demo.waitFor({ state: 'visible', timeout: 60_000 });
      await expand(demo);
      const workloads = row(tree, 'Workloads', 3).first();
      await workloads.waitFor({ state: 'visible', timeout: 30_000 });
      await expand(workloads);
      const pods = row(tree, 'Pods', 4).first();
      await pods.waitFor({ state: 'visible', timeout: 30_000 });
      await expand(pods);
      const labels = await eventually(async () => {
        const rows = await rowLabels(tree, 5);
        assert.ok(
          rows.some((r) => /^web-\S+ Running 1\/1 · \d+m · 48Mi$/.test(r)),
          `pod rows with usage: ${rows.join(' | ')}`,
        );
        return rows;
      }, 90_000);
      log(`pods: ${labels.join(' | ')}`);
      await screenshot('metrics-tree', page.locator('.part.sidebar'));
      if (widened) await dragSidebarEdge(page, -260);

      const items = await openContextMenu(page, demo);
      assert.ok(items.includes('Top (CPU and Memory)'), items.join(', '));
      await clickMenuItem(page, 'Top (CPU and Memory)');
      const editor = page.locator('.editor-instance .monaco-editor .view-lines').first();
      const text = await eventually(async () => {
        const t = (await editor.innerText()).replace(/\u00a0/g, ' ');
        assert.match(t, /Top pods in namespace demo on kwb-admin/);
        assert.match(t, /NAME\s+CPU\(cores\)\s+CPU%REQ\s+MEMORY\(bytes\)\s+MEMORY%REQ/);
        assert.match(t, /web-\S+\s+\d+m\s+\d+%\s+48Mi\s+75%/);
        return t;
      }, 60_000);
      log(`top: ${text.split('\n').slice(0, 2).join(' / ')}`);
      await screenshot('metrics-top');
      const tab = page.locator('.tabs-container [role="tab"]', { hasText: 'demo.top.txt' }).first();
      await tab.hover();
      await tab.locator('.codicon-close').first().click();
    },
  },
];

/** Drags the sash between the side bar and the editor by `dx` pixels; false when there is no such sash. */
async function dragSidebarEdge(page, dx) {
  const box = await page.locator('.part.sidebar').boundingBox();
  if (!box) return false;
  const edge = box.x + box.width;
  const sashes = await page.locator('.monaco-sash.vertical').evaluateAll((els) =>
    els.map((e) => {
      const r = e.getBoundingClientRect();
      return { x: r.x + r.width / 2, y: r.y + r.height / 2, h: r.height };
    }),
  );
  const sash = sashes.filter((s) => s.h > 100).sort((a, b) => Math.abs(a.x - edge) - Math.abs(b.x - edge))[0];
  if (!sash || Math.abs(sash.x - edge) > 8) return false;
  await page.mouse.move(sash.x, sash.y);
  await page.mouse.down();
  await page.mouse.move(sash.x + dx / 2, sash.y, { steps: 5 });
  await page.mouse.move(sash.x + dx, sash.y, { steps: 5 });
  await page.mouse.up();
  return true;
}
