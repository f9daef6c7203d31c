// Small page helpers for UI tests against the VS Code workbench, by ARIA roles and labels where the workbench
// has them (its DOM classes change between releases; roles and labels rarely do).
import assert from 'node:assert/strict';

/** Clicks the activity-bar entry titled `title` and returns the side bar. */
export async function openViewContainer(page, title, timeout = 60_000) {
  const tab = page.locator('.activitybar').getByRole('tab', { name: new RegExp(`^${escape(title)}\\b`) });
  await tab.waitFor({ state: 'visible', timeout });
  if ((await tab.getAttribute('aria-selected')) !== 'true') await tab.click();
  await page.locator('.part.sidebar').waitFor({ state: 'visible' });
  return page.locator('.part.sidebar');
}

/** The tree of a view, found by the view's name (the tree's aria-label). */
export function treeOf(page, viewName) {
  return page.getByRole('tree', { name: new RegExp(`^${escape(viewName)}`) });
}

/**
 * The row whose label is exactly `label`, at `level` (1 = roots) when given. Matched on the rendered label, not
 * the row's aria-label: VS Code uses a custom tree item's string tooltip as its aria-label.
 */
export function row(tree, label, level) {
  const rows = tree.getByRole('treeitem').filter({
    has: tree.page().locator('.label-name', { hasText: new RegExp(`^\\s*${escape(label)}\\s*$`) }),
  });
  return level ? rows.and(tree.locator(`[aria-level="${level}"]`)) : rows;
}

/** "label description" of the rendered rows at `level`. */
export async function rowLabels(tree, level) {
  return tree.locator(`[role="treeitem"][aria-level="${level}"]`).evaluateAll((els) =>
    els.map((e) => {
      const name = e.querySelector('.label-name')?.textContent?.trim() ?? e.getAttribute('aria-label') ?? '';
      const description = e.querySelector('.label-description')?.textContent?.trim();
      return description ? `${name} ${description}` : name;
    }),
  );
}

/** Polls `check` until it stops throwing; rethrows its last error after `timeout`. */
export async function eventually(check, timeout = 30_000, interval = 250) {
  const deadline = Date.now() + timeout;
  for (;;) {
    try {
      return await check();
    } catch (err) {
      if (Date.now() > deadline) throw err;
    }
    await new Promise((r) => setTimeout(r, interval));
  }
}

/** Expands a collapsed tree row (keyboard, so it works whatever workbench.tree.expandMode says). */
export async function expand(rowLocator) {
  if ((await rowLocator.getAttribute('aria-expanded')) === 'true') return;
  await rowLocator.click();
  if ((await rowLocator.getAttribute('aria-expanded')) !== 'true') await rowLocator.press('ArrowRight');
  await eventually(async () => assert.equal(await rowLocator.getAttribute('aria-expanded'), 'true'), 10_000);
}

/**
 * Opens the context menu of `target` (right click) and returns the labels of its items.
 * VS Code ignores a click that comes right after the menu appeared, so menu clicks go through clickMenuItem().
 */
export async function openContextMenu(page, target) {
  await target.click({ button: 'right' });
  const menu = page.locator('.context-view .monaco-menu').getByRole('menu');
  await menu.first().waitFor({ state: 'visible' });
  const items = await menu.getByRole('menuitem').allInnerTexts();
  return items.map((t) => t.split('\n')[0].trim()).filter(Boolean);
}

/** Clicks the item whose label starts with `label` in the open context menu, and waits for the menu to close. */
export async function clickMenuItem(page, label) {
  const menu = page.locator('.context-view .monaco-menu').getByRole('menu');
  const item = menu.getByRole('menuitem', { name: new RegExp(`^${escape(label)}`) }).first();
  for (let attempt = 0; ; attempt++) {
    await page.waitForTimeout(200);
    await item.click();
    try {
      await menu.first().waitFor({ state: 'hidden', timeout: 2_000 });
      return;
    } catch (err) {
      if (attempt >= 2) throw err;
    }
  }
}

/** Collapses every row of the tree: the view's "Collapse All" title action, else each expanded root. */
export async function collapseAll(page, tree) {
  await tree.hover();
  const button = page.locator('.part.sidebar').getByRole('button', { name: /^Collapse All/ });
  if (
    await button
      .first()
      .isVisible()
      .catch(() => false)
  ) {
    await button.first().click();
  } else {
    for (const r of await tree.locator('[role="treeitem"][aria-level="1"][aria-expanded="true"]').all()) {
      await r.click();
      await r.press('ArrowLeft');
    }
  }
  await eventually(
    async () => assert.equal(await tree.locator('[role="treeitem"][aria-level="2"]').count(), 0, 'all collapsed'),
    5_000,
  );
}

function escape(s) {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * The Explorer's rows for `folder` (at the workspace root) and `name` inside it, expanded and visible. The extension's
 * menus exist once the workbench has read its contributions: its view container is shown first.
 */
export async function explorerItem(page, folder, name) {
  await openViewContainer(page, 'Kube Workbench');
  await treeOf(page, 'Clusters').waitFor({ state: 'visible', timeout: 60_000 });
  await openViewContainer(page, 'Explorer');
  const tree = treeOf(page, 'Files Explorer');
  await tree.waitFor({ state: 'visible', timeout: 60_000 });
  const folderRow = row(tree, folder, 1).first();
  await folderRow.waitFor({ state: 'visible', timeout: 60_000 });
  await expand(folderRow);
  const item = row(tree, name, 2).first();
  await item.waitFor({ state: 'visible', timeout: 30_000 });
  return { tree, folder: folderRow, item };
}
