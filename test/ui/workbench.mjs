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

/** The row named `label` at `level` (1 = roots). The row's aria-label starts with the tree item's label. */
export function row(tree, label, level) {
  const rows = tree.getByRole('treeitem', { name: new RegExp(`^${escape(label)}(\\b|$)`) });
  return level ? rows.and(tree.locator(`[aria-level="${level}"]`)) : rows;
}

/** aria-labels of the visible rows at `level`. */
export async function rowLabels(tree, level) {
  return tree
    .locator(`[role="treeitem"][aria-level="${level}"]`)
    .evaluateAll((els) => els.map((e) => e.getAttribute('aria-label') ?? e.textContent ?? ''));
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

function escape(s) {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
