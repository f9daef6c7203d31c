// Runs the extension's integration suite (test/integration, mocha) inside a REAL VS Code: code-server 4.100.3
// driven by headless Chromium. The packaged extension (dist/kube-workbench.vsix) is installed into a fresh
// code-server; a tiny test-host extension (out/test/host) is the extensionDevelopmentPath, so the suite tests
// the real installed vsix through vscode.extensions.getExtension('kube-workbench.kube-workbench').
//
//   node scripts/integration-tests.mjs [--no-build] [--timeout <seconds>] [--verbose] [--grep <pattern>]
//
// Needs `npm run setup` once (code-server, chromium). Starts the local control plane (test/cluster) when it can;
// otherwise prints `SKIP cluster: <reason>` and passes KWB_CLUSTER=absent so cluster tests skip.
// Env given to the extension host: KWB_TEST_REPORT (file the suite writes its mocha output to; streamed here),
// KWB_CLUSTER=present|absent, KUBECONFIG (when present), KWB_CLUSTER_SKIP_REASON (when absent),
// KWB_WORKSPACE (the opened folder), KWB_TEST_GREP (from --grep).
// The last line printed is `N passed, N failed, N skipped`. With KWB_REQUIRE_CLUSTER=1 (npm test, CI) a missing
// cluster or any skipped test fails the run. Exit code: the suite's (0 only when nothing failed).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { format } from 'node:util';
import { fileURLToPath } from 'node:url';
import { launchBrowser, onShutdown, startClusterForTests, startCodeServer, testPayloadUrl } from './lib/codeServer.mjs';
import { ensureTestTools } from './lib/testTools.mjs';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const argv = process.argv.slice(2);
const flag = (name) => argv.includes(name);
const option = (name) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};
const verbose = flag('--verbose') || process.env.KWB_VERBOSE === '1';
const timeoutS = Number(option('--timeout') ?? process.env.KWB_TEST_TIMEOUT ?? 600);
// --untrusted: the suites tagged @untrusted, in a window whose folder is not trusted (restricted mode); the normal
// run leaves them out.
const untrusted = flag('--untrusted');
const grep = option('--grep') ?? process.env.KWB_TEST_GREP;
// --big <kubeconfig>: run only the @big suite, against a cluster holding 50,000 pods in namespace scale (started by
// bench/big.ts; too slow to build for every `npm test`).
const big = option('--big');

const vsix = path.join(repoRoot, 'dist', 'kube-workbench.vsix');
const testHost = path.join(repoRoot, 'out', 'test', 'host');
const testsEntry = path.join(repoRoot, 'out', 'test', 'integration', 'index.js');
const workspace = path.join(repoRoot, 'test', 'fixtures', 'workspace');
const resultsDir = path.join(repoRoot, 'test-results');

const log = (m) => console.log(`[integration] ${m}`);
const t0 = Date.now();

function npmRun(script) {
  log(`npm run ${script}`);
  const r = spawnSync('npm', ['run', '--silent', script], { cwd: repoRoot, stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`npm run ${script} failed with exit ${r.status}`);
}

/** Tails a file the suite appends to, printing whole lines as they arrive. */
function tailFile(file, onLine) {
  let pos = 0;
  let partial = '';
  const read = (final) => {
    let fd;
    try {
      fd = fs.openSync(file, 'r');
    } catch {
      return;
    }
    try {
      const size = fs.fstatSync(fd).size;
      if (size > pos) {
        const buf = Buffer.alloc(size - pos);
        fs.readSync(fd, buf, 0, buf.length, pos);
        pos = size;
        partial += buf.toString('utf8');
        const lines = partial.split(/\r?\n/);
        partial = lines.pop() ?? '';
        for (const l of lines) onLine(l);
      }
      if (final && partial) {
        onLine(partial);
        partial = '';
      }
    } finally {
      fs.closeSync(fd);
    }
  };
  const timer = setInterval(() => read(false), 200);
  return () => {
    clearInterval(timer);
    read(true);
  };
}

// Console noise of the workbench that says nothing about our extension.
const NOISE = [
  /open-vsx|marketplace|gallery/i,
  /Failed to load resource.*(favicon|manifest|vsda|\.map)/i,
  /DevTools listening/i,
  /\[Extension Host\] debugger listening/i,
  /Download the React DevTools/i,
  /The web worker extension host is started in a same-origin iframe/i,
  /Ignoring fetching additional builtin extensions/i,
  /Creation of workbench contribution '.*' took \d+ms/i,
];

// The workbench logs as "%c INFO color: #33f <text>"; the extension host's console arrives the same way.
// Its arguments are put together with util.format (%s, %d, %c as in the browser), so mocha's printf-style
// output reads as text.
async function consoleText(msg) {
  let text = msg.text();
  try {
    const args = await Promise.all(msg.args().map((a) => a.jsonValue()));
    if (args.length > 0 && typeof args[0] === 'string') text = format(...args);
  } catch {
    // the page navigated or closed meanwhile: keep the plain text
  }
  const m = /^(?:%c)?\s*(INFO|WARN|ERR|TRACE|DEBUG)\s+(?:color:\s*#?\w+\s?)?([\s\S]*)$/.exec(text);
  const body = (m ? m[2] : text).replace(/%c/g, '').trimEnd();
  if (!body.trim()) return '';
  return m && m[1] !== 'INFO' ? `${m[1]} ${body}` : body;
}
// The suite's own report lines, echoed by the extension host's console: already printed from KWB_TEST_REPORT.
const DUPLICATES = [
  /^\s*(✔|✖|- SKIPPED)\s/,
  /^\s*(?:[\w-]+: )?\d+ passed, \d+ failed/,
  /^\s*%d (passing|failing|pending)/,
  /^\s*[.,!]+\s*$/,
];

let consoleQueue = Promise.resolve();
let reportDir;
let cluster;
let server;
let browser;
let stopTail = () => {};
const cleanup = onShutdown(async () => {
  stopTail();
  await browser?.close().catch(() => {});
  await server?.stop().catch(() => {});
  await cluster?.stop().catch((e) => log(`cluster stop failed: ${e.message}`));
  if (reportDir) fs.rmSync(reportDir, { recursive: true, force: true });
});

let passed = 0;
let failed = 0;
let pending = 0;
let sawSummary = false;
let exitCode = 1;
let fatal = false; // an error before or around the run, already reported

function countFrom(line) {
  // The suite's own closing line, "integration: 12 passed, 1 failed, 2 skipped", or mocha's spec/min reporter
  // lines "  12 passing (3s)", "  1 failing", "  2 pending".
  const own = /^\s*(?:[\w-]+: )?(\d+) passed, (\d+) failed(?:, (\d+) (?:skipped|pending))?\s*$/.exec(line);
  if (own) {
    sawSummary = true;
    [passed, failed, pending] = [Number(own[1]), Number(own[2]), Number(own[3] ?? 0)];
    return;
  }
  const m = /^\s*(\d+) (passing|failing|pending)\b/.exec(line);
  if (!m) return;
  sawSummary = true;
  const n = Number(m[1]);
  if (m[2] === 'passing') passed = n;
  else if (m[2] === 'failing') failed = n;
  else pending = n;
}

try {
  // 1. build the vsix and the test bundles
  if (!flag('--no-build') && process.env.KWB_SKIP_BUILD !== '1') {
    npmRun('package');
    npmRun('build:tests');
  }
  for (const [f, how] of [
    [vsix, 'npm run package'],
    [testsEntry, 'npm run build:tests'],
    [path.join(testHost, 'package.json'), 'npm run build:tests'],
  ]) {
    if (!fs.existsSync(f)) throw new Error(`${path.relative(repoRoot, f)} is missing: run \`${how}\``);
  }

  // 2. the control plane (with --big, the 50,000-pod cluster the big-cluster bench started)
  cluster = big
    ? {
        present: true,
        env: { KUBECONFIG: path.resolve(big), KWB_CLUSTER: 'present', KWB_BIG: '1' },
        stop: async () => {},
      }
    : await startClusterForTests({ repoRoot, log });

  // 3. code-server + Chromium running the suite
  reportDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kwb-report-'));
  const reportFile = path.join(reportDir, 'report.txt');
  fs.writeFileSync(reportFile, '');
  // The tools the extension runs (kustomize), built from Go modules. The extension host takes PATH from the
  // user's login shell, not from code-server's environment: the tests point the extension's settings at them.
  const tools = ensureTestTools({ log });
  const env = {
    ...cluster.env,
    KWB_TEST_TOOLS: tools,
    KWB_TEST_REPORT: reportFile,
    KWB_WORKSPACE: workspace,
    ...(grep ? { KWB_TEST_GREP: grep } : {}),
    ...(untrusted ? { KWB_UNTRUSTED: '1' } : {}),
  };
  server = await startCodeServer({ workspace, env, extensionsToInstall: [vsix], verbose, untrusted });
  log(`code-server ${server.url} (pid ${server.pid}, log ${server.logFile}), vsix installed`);

  browser = await launchBrowser();
  const { page } = browser;
  page.on('console', (msg) => {
    // Chained, so messages keep their order although their arguments are read asynchronously.
    consoleQueue = consoleQueue.then(async () => {
      let line = await consoleText(msg);
      if (/^Failed to load resource/.test(line) && msg.location()?.url) line += ` (${msg.location().url})`;
      if (!line || NOISE.some((re) => re.test(line))) return;
      if (!verbose && (msg.type() === 'debug' || DUPLICATES.some((re) => re.test(line)))) return;
      console.log(`[browser:${msg.type()}] ${line}`);
    });
  });
  page.on('pageerror', (err) => console.log(`[browser:pageerror] ${err.message}`));

  let resolveExit;
  const exitPromise = new Promise((r) => (resolveExit = r));
  await page.exposeFunction('codeAutomationExit', (code) => {
    resolveExit(Number(code ?? 0));
  });
  stopTail = tailFile(reportFile, (line) => {
    console.log(line);
    countFrom(line);
  });

  const url = testPayloadUrl(server, {
    folder: workspace,
    extensionDevelopmentPath: testHost,
    extensionTestsPath: testsEntry,
  });
  log(`opening workbench: ${url}`);
  await page.goto(url, { waitUntil: 'domcontentloaded', timeout: 60_000 });

  let timer;
  const timeout = new Promise((r) => {
    timer = setTimeout(() => r('timeout'), timeoutS * 1000);
  });
  const crashed = new Promise((r) => page.once('crash', () => r('crash')));
  const outcome = await Promise.race([exitPromise, timeout, crashed]);
  clearTimeout(timer);
  await Promise.race([consoleQueue, new Promise((r) => setTimeout(r, 3000))]);
  stopTail();

  if (outcome === 'timeout' || outcome === 'crash') {
    fs.mkdirSync(resultsDir, { recursive: true });
    const shot = path.join(resultsDir, 'integration-timeout.png');
    await page.screenshot({ path: shot }).catch(() => {});
    console.log(
      outcome === 'timeout'
        ? `ERROR: the integration suite did not finish within ${timeoutS} s (no codeAutomationExit call). Screenshot: ${path.relative(repoRoot, shot)}; code-server log tail:`
        : 'ERROR: the browser page crashed while the suite ran. code-server log tail:',
    );
    try {
      console.log(fs.readFileSync(server.logFile, 'utf8').split('\n').slice(-30).join('\n'));
    } catch {}
    exitCode = 1;
    fatal = true;
  } else {
    exitCode = outcome;
    log(`suite finished: codeAutomationExit(${outcome})`);
  }
} catch (err) {
  console.log(`ERROR: ${err?.stack ?? err}`);
  exitCode = 1;
  fatal = true;
} finally {
  await cleanup();
}

if (!sawSummary) {
  if (!fatal)
    console.log('ERROR: the suite wrote no summary ("N passed, N failed" or mocha\'s "N passing") to KWB_TEST_REPORT');
  if (exitCode === 0) exitCode = 1;
  if (failed === 0) failed = 1;
}
if (sawSummary && passed + failed + pending === 0 && !grep) {
  console.log('ERROR: the suite ran no test (no *.test.js next to out/test/integration/index.js?)');
  exitCode = 1;
}
if (pending > 0 && process.env.KWB_REQUIRE_CLUSTER === '1') {
  console.log(`ERROR: ${pending} test(s) skipped in a run that requires every test to run (KWB_REQUIRE_CLUSTER=1)`);
  exitCode = 1;
}
if (failed > 0 && exitCode === 0) exitCode = 1;
log(`done in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
console.log(`${passed} passed, ${failed} failed, ${pending} skipped`);
process.exit(exitCode);
