// UI tests: what a person sees and clicks in a REAL VS Code (code-server 4.100.3) driven by playwright-core in
// headless Chromium, with the packaged extension (dist/kube-workbench.vsix) installed and KUBECONFIG pointing at
// the local control plane (test/cluster).
//
//   node scripts/ui-tests.mjs [--no-build] [--update-docs] [--grep <pattern>] [--verbose]
//
// Tests live in test/ui/*.ui.mjs; each file default-exports an array of { name, needsCluster?, run(ctx) }
// (see test/ui/README.md). They run in order against one workbench page. Screenshots go to
// test-results/screenshots/ (a failing test leaves failure-<name>.png there); --update-docs copies them to
// docs/screenshots/ for the README.
// Without the control plane (no test/cluster/index.ts, no Go, or KWB_CLUSTER=absent) the runner prints
// `SKIP cluster: <reason>`, points KUBECONFIG at a generated kubeconfig with the same context names and
// unreachable servers, and skips the tests marked needsCluster.
// The last line printed is `N passed, N failed, N skipped`. With KWB_REQUIRE_CLUSTER=1 (npm test, CI) a missing
// cluster or any skipped test fails the run.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { launchBrowser, onShutdown, startClusterForTests, startCodeServer } from './lib/codeServer.mjs';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const argv = process.argv.slice(2);
const flag = (name) => argv.includes(name);
const option = (name) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};
const verbose = flag('--verbose') || process.env.KWB_VERBOSE === '1';
const grep = option('--grep') ?? process.env.KWB_UI_GREP;
const timeoutS = Number(option('--timeout') ?? process.env.KWB_UI_TIMEOUT ?? 600);

const vsix = path.join(repoRoot, 'dist', 'kube-workbench.vsix');
const workspace = path.join(repoRoot, 'test', 'fixtures', 'workspace');
const uiDir = path.join(repoRoot, 'test', 'ui');
const screenshotsDir = path.join(repoRoot, 'test-results', 'screenshots');
const docsDir = path.join(repoRoot, 'docs', 'screenshots');
const DEFAULT_CONTEXTS = ['kwb-admin', 'kwb-viewer', 'kwb-exec', 'kwb-offline'];

const log = (m) => console.log(`[ui] ${m}`);
const t0 = Date.now();

/** A kubeconfig with the cluster's context names whose servers refuse connections (port 9 on loopback). */
function unreachableKubeconfig(dir, names) {
  const file = path.join(dir, 'kubeconfig');
  const lines = ['apiVersion: v1', 'kind: Config', `current-context: ${names[0]}`, 'clusters:'];
  for (const n of names) lines.push(`- name: ${n}`, '  cluster:', '    server: https://127.0.0.1:9');
  lines.push('users:', '- name: nobody', '  user:', '    token: not-a-real-token', 'contexts:');
  for (const n of names) lines.push(`- name: ${n}`, '  context:', `    cluster: ${n}`, '    user: nobody');
  fs.writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

let cluster;
let server;
let browser;
let tmp;
const cleanup = onShutdown(async () => {
  await browser?.close().catch(() => {});
  await server?.stop().catch(() => {});
  await cluster?.stop().catch((e) => log(`cluster stop failed: ${e.message}`));
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

let passed = 0;
let failed = 0;
let skipped = 0;
let fatal = false;
const hardTimer = setTimeout(async () => {
  console.log(`ERROR: the UI tests did not finish within ${timeoutS} s`);
  await cleanup();
  console.log(`${passed} passed, ${failed + 1} failed, ${skipped} skipped`);
  process.exit(1);
}, timeoutS * 1000);

try {
  if (!flag('--no-build') && process.env.KWB_SKIP_BUILD !== '1') {
    log('npm run package');
    const r = spawnSync('npm', ['run', '--silent', 'package'], { cwd: repoRoot, stdio: 'inherit' });
    if (r.status !== 0) throw new Error(`npm run package failed with exit ${r.status}`);
  }
  if (!fs.existsSync(vsix)) throw new Error(`${path.relative(repoRoot, vsix)} is missing: run \`npm run package\``);

  // Test files first, so a syntax error fails fast.
  const files = fs
    .readdirSync(uiDir)
    .filter((f) => f.endsWith('.ui.mjs'))
    .sort();
  const tests = [];
  for (const f of files) {
    const mod = await import(pathToFileURL(path.join(uiDir, f)).href);
    for (const t of mod.default ?? []) tests.push({ ...t, file: f });
  }
  const selected = grep ? tests.filter((t) => new RegExp(grep, 'i').test(t.name)) : tests;
  if (selected.length === 0) throw new Error(`no UI tests found in ${path.relative(repoRoot, uiDir)}`);

  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kwb-ui-'));
  cluster = await startClusterForTests({ repoRoot, log });
  const contexts = cluster.contextNames?.length ? cluster.contextNames : DEFAULT_CONTEXTS;
  const env = cluster.present
    ? cluster.env
    : { ...cluster.env, KUBECONFIG: unreachableKubeconfig(tmp, DEFAULT_CONTEXTS) };

  server = await startCodeServer({
    workspace,
    env,
    extensionsToInstall: [vsix],
    verbose,
    settings: {
      'workbench.colorTheme': 'Default Dark Modern',
      'window.zoomLevel': 0,
      'workbench.layoutControl.enabled': false,
      'editor.minimap.enabled': false,
      // One row per folder (charts/kwb-demo is not shown as one "charts / kwb-demo" row).
      'explorer.compactFolders': false,
      // The test helm: the extension host takes PATH from the login shell, not from this process.
      ...(cluster.helmPath ? { 'kubeWorkbench.helm.path': cluster.helmPath } : {}),
    },
  });
  log(`code-server ${server.url} (pid ${server.pid}, log ${server.logFile}), vsix installed`);

  browser = await launchBrowser({ viewport: { width: 1280, height: 800 } });
  const { page } = browser;
  page.on('pageerror', (err) => console.log(`[browser:pageerror] ${err.message}`));
  page.on('console', (msg) => {
    if (verbose || msg.type() === 'error') {
      const text = msg.text().replace(/^%c\s*(\w+)\s*color:\s*#?\w+\s?/, '$1 ');
      if (!/open-vsx|Failed to load resource/.test(text)) console.log(`[browser:${msg.type()}] ${text}`);
    }
  });
  page.setDefaultTimeout(30_000);

  fs.rmSync(screenshotsDir, { recursive: true, force: true });
  fs.mkdirSync(screenshotsDir, { recursive: true });
  const shots = [];
  const ctx = {
    page,
    server,
    cluster,
    contexts,
    workspace,
    log: (m) => console.log(`      ${m}`),
    /** Saves test-results/screenshots/<name>.png (of `locator` if given, else the page). */
    async screenshot(name, locator) {
      const file = path.join(screenshotsDir, `${name}.png`);
      // No hover tooltip in the picture: park the mouse over the empty editor area.
      const vp = page.viewportSize();
      if (vp) await page.mouse.move(vp.width - 40, vp.height / 2).catch(() => {});
      await page.waitForTimeout(300);
      await (locator ?? page).screenshot({ path: file });
      shots.push(file);
      return file;
    },
  };

  log(`opening the workbench: ${server.url}/?folder=${workspace}`);
  await page.goto(`${server.url}/?folder=${encodeURIComponent(workspace)}`, { waitUntil: 'domcontentloaded' });
  await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });

  for (const t of selected) {
    const title = `${t.file.replace(/\.ui\.mjs$/, '')} › ${t.name}`;
    if (t.needsCluster && !cluster.present) {
      skipped++;
      console.log(`  - SKIPPED ${title} (${cluster.reason})`);
      continue;
    }
    const started = Date.now();
    try {
      await t.run(ctx);
      passed++;
      console.log(`  ✔ ${title} (${Date.now() - started} ms)`);
    } catch (err) {
      failed++;
      const slug = t.name
        .replace(/[^\w]+/g, '-')
        .replace(/^-|-$/g, '')
        .toLowerCase();
      const shot = await ctx.screenshot(`failure-${slug}`).catch(() => undefined);
      console.log(
        `  ✖ ${title}\n      ${String(err?.stack ?? err)
          .split('\n')
          .join('\n      ')}`,
      );
      if (shot) console.log(`      screenshot: ${path.relative(repoRoot, shot)}`);
    }
  }

  if (flag('--update-docs')) {
    fs.mkdirSync(docsDir, { recursive: true });
    for (const f of shots.filter((f) => !path.basename(f).startsWith('failure-'))) {
      fs.copyFileSync(f, path.join(docsDir, path.basename(f)));
    }
    log(`copied ${shots.length} screenshot(s) to ${path.relative(repoRoot, docsDir)}/`);
  }
  log(`screenshots: ${path.relative(repoRoot, screenshotsDir)}/ (${shots.map((f) => path.basename(f)).join(', ')})`);
} catch (err) {
  console.log(`ERROR: ${err?.stack ?? err}`);
  fatal = true;
} finally {
  clearTimeout(hardTimer);
  await cleanup();
}

if (fatal) failed++;
if (skipped > 0 && process.env.KWB_REQUIRE_CLUSTER === '1') {
  console.log(`ERROR: ${skipped} test(s) skipped in a run that requires every test to run (KWB_REQUIRE_CLUSTER=1)`);
  failed++;
}
log(`done in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 ? 1 : 0);
