// Apply: right-click a manifest in the Explorer, apply it to the cluster, read the report.
import assert from 'node:assert/strict';
import { clickMenuItem, eventually, explorerItem, openContextMenu } from './workbench.mjs';

export default [
  {
    name: 'applies a manifest from the Explorer context menu and shows the report',
    needsCluster: true,
    async run({ page, screenshot, log }) {
      const { item: file } = await explorerItem(page, 'apply', 'multi.yaml');

      const items = await eventually(async () => {
        const found = await openContextMenu(page, file);
        if (!found.includes('Apply to Cluster')) {
          // Leave the page as found: the report's tab closed.
          const tab = page.locator('.tabs-container [role="tab"]', { hasText: 'apply-report' }).first();
          await tab.hover();
          await tab.locator('.codicon-close').first().click();
          await tab.waitFor({ state: 'detached', timeout: 5_000 });
          assert.fail(`no "Apply to Cluster" yet: ${found.join(', ')}`);
        }
        return found;
      }, 30_000);
      log(`context menu: ${items.join(' | ')}`);
      for (const want of ['Apply to Cluster', 'Preview Apply (Server Dry Run Diff)', 'Apply to Context…']) {
        assert.ok(items.includes(want), `"${want}" in ${items.join(', ')}`);
      }
      await clickMenuItem(page, 'Apply to Cluster');

      const toast = page.locator('.notification-toast').filter({ hasText: /Applied \d+/ });
      await toast.first().waitFor({ state: 'visible', timeout: 60_000 });
      const summary = (await toast.first().innerText()).replace(/\s+/g, ' ');
      log(`notification: ${summary}`);
      assert.match(summary, /Applied 3 on kwb-admin \(see report\)/);
      await screenshot('apply-notification', toast.first());

      await toast.first().getByRole('button', { name: 'Show Report' }).click();
      const editor = page.locator('.editor-instance .monaco-editor .view-lines').first();
      const text = await eventually(async () => {
        const t = (await editor.innerText()).replace(/\u00a0/g, ' ');
        assert.match(t, /Namespace kwb-apply-multi: created/);
        assert.match(t, /Deployment kwb-apply-multi\/shop-web: created/);
        return t;
      }, 30_000);
      log(`report: ${text.split('\n').slice(0, 2).join(' / ')}`);
      await screenshot('apply-report');
      // Leave the page as found: the report's tab closed.
      const tab = page.locator('.tabs-container [role="tab"]', { hasText: 'apply-report' }).first();
      await tab.hover();
      await tab.locator('.codicon-close').first().click();
      await tab.waitFor({ state: 'detached', timeout: 5_000 });
    },
  },
];
