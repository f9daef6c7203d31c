// Log and exec terminals, opened from a pod's context menu the way a person does it. The terminal's text is drawn
// by xterm on a canvas, so the content itself is asserted by the integration suite (workloads.logs.test.ts);
// here the terminals must open under the right names, and the screenshots show what they look like.
import assert from 'node:assert/strict';
import {
  clickMenuItem,
  collapseAll,
  eventually,
  expand,
  openContextMenu,
  openViewContainer,
  row,
  treeOf,
} from './workbench.mjs';

/** kwb-admin › demo › Workloads › Pods › standalone (seeded by test/cluster/seed.yaml: two containers, writes logs). */
async function standalonePod(page) {
  await openViewContainer(page, 'Kube Workbench');
  const tree = treeOf(page, 'Clusters');
  await collapseAll(page, tree);
  const path = ['kwb-admin', 'demo', 'Workloads', 'Pods'];
  for (const [i, name] of path.entries()) {
    const r = row(tree, name, i + 1).first();
    await r.waitFor({ state: 'visible', timeout: 60_000 });
    await expand(r);
  }
  // The tree is virtualised and the view may be short (other views share the side bar): walk down with the
  // keyboard from the Pods folder until the row is rendered.
  const pod = row(tree, 'standalone', path.length + 1).first();
  const pods = row(tree, 'Pods', path.length).first();
  await pods.click(); // focus (a click also toggles the folder)
  await expand(pods);
  for (let i = 0; i < 40 && !(await pod.isVisible().catch(() => false)); i++) {
    await page.keyboard.press('ArrowDown');
    await page.waitForTimeout(100);
  }
  await pod.waitFor({ state: 'visible', timeout: 60_000 });
  return pod;
}

/** The terminal tab (or the panel title when only one terminal is open) naming `name`. */
async function waitForTerminal(page, name) {
  await eventually(async () => {
    const titles = await page
      .locator('.part.panel')
      .locator('.terminal-tabs-entry, .single-terminal-tab, .monaco-action-bar .action-label')
      .allInnerTexts();
    assert.ok(
      titles.some((t) => t.includes(name)),
      `a terminal named "${name}" among: ${titles.join(' | ')}`,
    );
  }, 30_000);
  await page.locator('.part.panel .xterm >> visible=true').first().waitFor({ state: 'visible', timeout: 30_000 });
}

export default [
  {
    name: 'a pod log follows in a terminal from the context menu',
    needsCluster: true,
    async run({ page, screenshot, log }) {
      const pod = await standalonePod(page);
      const items = await openContextMenu(page, pod);
      log(`context menu: ${items.join(' | ')}`);
      for (const want of ['Follow Logs', 'Open Logs in an Editor', 'Open Shell', 'Run Command…']) {
        assert.ok(items.includes(want), `"${want}" in ${items.join(', ')}`);
      }
      await clickMenuItem(page, 'Follow Logs');
      await waitForTerminal(page, 'logs standalone');
      // A few of the pod's 2-second lines.
      await page.waitForTimeout(5_000);
      await screenshot('log-terminal');
    },
  },
  {
    name: 'a shell opens in a container from the context menu and runs a command',
    needsCluster: true,
    async run({ page, screenshot }) {
      const pod = await standalonePod(page);
      await openContextMenu(page, pod);
      await clickMenuItem(page, 'Open Shell');
      // Two containers: the container picker.
      const input = page.locator('.quick-input-widget input');
      await input.waitFor({ state: 'visible', timeout: 30_000 });
      await input.fill('main');
      await page.keyboard.press('Enter');
      await waitForTerminal(page, 'shell standalone/main');
      const terminal = page.locator('.part.panel .xterm >> visible=true').first();
      await terminal.click();
      await page.waitForTimeout(1_000);
      await page.keyboard.type('echo "hello from $POD_NAME"; ls\n');
      await page.waitForTimeout(1_500);
      await screenshot('exec-terminal');
    },
  },
];
