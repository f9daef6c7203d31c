// A chart in the workspace (test/fixtures/workspace/charts/kwb-demo, with a deliberate schema error): its folder's
// Explorer menu offers the chart commands, and Validate Chart puts the problem on the template file.
import assert from 'node:assert/strict';
import { clickMenuItem, eventually, expand, explorerItem, openContextMenu, row } from './workbench.mjs';

const CHART_COMMANDS = ['Helm: Render Chart…', 'Helm: Validate Chart…', 'Helm: Preview Upgrade…'];

export default [
  {
    name: 'a chart folder offers Render, Validate and Preview Upgrade; Validate marks the template',
    needsCluster: true,
    async run({ page, screenshot, log }) {
      const { tree, folder: charts, item: chart } = await explorerItem(page, 'charts', 'kwb-demo');

      // The folders holding a Chart.yaml are found a moment after activation.
      const items = await eventually(async () => {
        const found = await openContextMenu(page, chart);
        await page.keyboard.press('Escape');
        assert.ok(
          CHART_COMMANDS.every((c) => found.includes(c)),
          `chart commands in the menu of charts/kwb-demo: ${found.join(', ')}`,
        );
        return found;
      }, 30_000);
      log(`chart folder menu: ${items.filter((i) => i.startsWith('Helm')).join(' | ')}`);
      const plain = await openContextMenu(page, charts);
      await page.keyboard.press('Escape');
      assert.ok(!plain.some((i) => CHART_COMMANDS.includes(i)), `no chart commands on charts/: ${plain.join(', ')}`);

      await openContextMenu(page, chart);
      await clickMenuItem(page, 'Helm: Validate Chart…');
      // Release name (the chart's name), namespace, then the chart's own values.
      const input = page.locator('.quick-input-widget input');
      await input.first().waitFor({ state: 'visible' });
      await input.first().fill('kwb-demo');
      await page.keyboard.press('Enter');
      await page.waitForTimeout(300);
      await input.first().fill('helm-demo');
      await page.keyboard.press('Enter');
      const own = page.locator('.quick-input-list [role="option"]', { hasText: "The chart's own values" });
      await own.first().waitFor({ state: 'visible' });
      await own.first().click();

      const toast = page.locator('.notification-toast').filter({ hasText: /Chart kwb-demo: 1 problem/ });
      await toast.first().waitFor({ state: 'visible', timeout: 60_000 });
      log(`notification: ${(await toast.first().innerText()).replace(/\s+/g, ' ')}`);

      const templates = row(tree, 'templates', 3).first();
      await expand(chart);
      await templates.waitFor({ state: 'visible', timeout: 30_000 });
      await expand(templates);
      const deployment = row(tree, 'deployment.yaml', 4).first();
      await deployment.waitFor({ state: 'visible', timeout: 30_000 });
      await deployment.click();
      const squiggle = page.locator('.editor-instance .monaco-editor .squiggly-error').first();
      await squiggle.waitFor({ state: 'visible', timeout: 30_000 });
      await page.keyboard.press('Control+Shift+M'); // the Problems view
      const problems = page.locator('.markers-panel');
      await eventually(async () => {
        const text = (await problems.first().innerText()).replace(/\s+/g, ' ');
        assert.match(text, /imagePullPolicyy/, `Problems view: ${text}`);
        return text;
      }, 30_000);
      await screenshot('chart-validation');
      await page.keyboard.press('Control+Shift+M');
    },
  },
];
