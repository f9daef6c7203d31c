// Helpers to run a real VS Code (code-server 4.100.3, installed by scripts/setup.sh) and a headless Chromium
// that drives it. Used by scripts/integration-tests.mjs, scripts/ui-tests.mjs and anything else that needs a
// workbench. See shared/guide/HARNESS.md for the facts behind the flags.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export const CODE_SERVER_VERSION = '4.100.3';
export const CHROMIUM_PATH = process.env.KWB_CHROMIUM || '/usr/bin/chromium';

// Flags for headless Chromium as root on a machine with no outside network (HARNESS.md).
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
  '--no-default-browser-check',
  '--disable-features=Translate,MediaRouter,OptimizationHints',
];

/** Folder of the cached install; must match scripts/setup.sh. */
export function codeServerDir() {
  if (process.env.KWB_CODE_SERVER_DIR) return process.env.KWB_CODE_SERVER_DIR;
  const cache = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(cache, 'kube-workbench', `code-server-${CODE_SERVER_VERSION}`);
}

/** Path of the code-server executable; throws with the fix when setup has not been run. */
export function codeServerBin() {
  const dir = codeServerDir();
  const bin = path.join(dir, 'node_modules', '.bin', 'code-server');
  if (!fs.existsSync(path.join(dir, '.kwb-complete')) || !fs.existsSync(bin)) {
    throw new Error(
      `code-server ${CODE_SERVER_VERSION} is not installed in ${dir}. Run \`npm run setup\` (bash scripts/setup.sh) first.`,
    );
  }
  return bin;
}

/**
 * A free TCP port on 127.0.0.1, below the kernel's ephemeral range where there is one (Linux): a port from ":0" is
 * in that range, and until code-server binds it any outgoing connection on the machine may be given it as its local
 * port (then code-server fails with "address already in use"). test/cluster/supervisor.go picks its ports the same way.
 */
export async function freePort() {
  let low = 0;
  try {
    low = Number(fs.readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
  } catch {}
  const first = 10_000;
  if (Number.isInteger(low) && low - first >= 1000) {
    for (let i = 0; i < 50; i++) {
      const port = first + Math.floor(Math.random() * (low - first));
      if (await listenable(port)) return port;
    }
  }
  return listenable(0);
}

/** Listens on 127.0.0.1:port (0: any) and closes again; resolves to the port, or 0 when it is taken. */
function listenable(port) {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', (err) => (port !== 0 && err.code === 'EADDRINUSE' ? resolve(0) : reject(err)));
    srv.listen(port, '127.0.0.1', () => {
      const { port: bound } = srv.address();
      srv.close(() => resolve(bound));
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** The environment for code-server: caller's env on top of ours, minus variables that would make it talk to
 * another VS Code (e.g. when this runs in a VS Code terminal). */
function serverEnv(extra, xdgConfig, xdgData) {
  const env = { ...process.env, ...extra, XDG_CONFIG_HOME: xdgConfig, XDG_DATA_HOME: xdgData };
  for (const k of Object.keys(env)) {
    if (/^(VSCODE_|ELECTRON_RUN_AS_NODE$|CODE_SERVER_|NODE_OPTIONS$)/.test(k) && !(extra && k in extra)) {
      delete env[k];
    }
  }
  for (const [k, v] of Object.entries(env)) if (v === undefined || v === null) delete env[k];
  return env;
}

function tail(file, lines = 40) {
  try {
    return fs.readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

/**
 * Starts code-server with a fresh user-data-dir and extensions-dir.
 * @param {object} o
 * @param {string} [o.workspace] folder opened by default
 * @param {Record<string,string|undefined>} [o.env] added to the server's env (the extension host inherits it)
 * @param {string[]} [o.extensionsToInstall] .vsix paths installed first with the same dirs
 * @param {object} [o.settings] merged into the user's settings.json
 * @param {boolean} [o.verbose] pass code-server's output through to stderr (else it goes to `logFile`)
 * @param {number} [o.timeoutMs] how long to wait for /healthz
 * @returns {Promise<{url:string, port:number, userDataDir:string, extensionsDir:string, tmpDir:string,
 *   logFile:string, env:object, stop:() => Promise<void>}>}
 */
export async function startCodeServer(o = {}) {
  const bin = codeServerBin();
  const tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kwb-code-server-'));
  const userDataDir = path.join(tmpDir, 'user-data');
  const extensionsDir = path.join(tmpDir, 'extensions');
  const xdgConfig = path.join(tmpDir, 'xdg-config');
  const xdgData = path.join(tmpDir, 'xdg-data');
  const logFile = path.join(tmpDir, 'code-server.log');
  for (const d of [userDataDir, extensionsDir, xdgConfig, xdgData]) fs.mkdirSync(d, { recursive: true });

  // o.untrusted: Workspace Trust on, and the folder left untrusted (restricted mode), without a prompt.
  const trust = o.untrusted
    ? {
        'security.workspace.trust.enabled': true,
        'security.workspace.trust.startupPrompt': 'never',
        'security.workspace.trust.banner': 'never',
        'security.workspace.trust.emptyWindow': false,
      }
    : { 'security.workspace.trust.enabled': false };
  const settings = {
    ...trust,
    'workbench.startupEditor': 'none',
    'workbench.tips.enabled': false,
    'workbench.enableExperiments': false,
    'workbench.welcomePage.walkthroughs.openOnInstall': false,
    'telemetry.telemetryLevel': 'off',
    'update.mode': 'none',
    'extensions.autoUpdate': false,
    'extensions.autoCheckUpdates': false,
    'extensions.ignoreRecommendations': true,
    'chat.commandCenter.enabled': false,
    'git.enabled': false,
    'window.restoreWindows': 'none',
    // Desktop VS Code's default. In a browser VS Code saves after a second by default, and saving a live cluster
    // document applies it: tests that edit, then change the context's policy, then save, must decide the save.
    'files.autoSave': 'off',
    ...o.settings,
  };
  fs.mkdirSync(path.join(userDataDir, 'User'), { recursive: true });
  fs.writeFileSync(path.join(userDataDir, 'User', 'settings.json'), JSON.stringify(settings, null, 2));

  const env = serverEnv(o.env, xdgConfig, xdgData);
  const dirArgs = ['--user-data-dir', userDataDir, '--extensions-dir', extensionsDir];

  for (const vsix of o.extensionsToInstall ?? []) {
    if (!fs.existsSync(vsix)) throw new Error(`extension to install not found: ${vsix}`);
    const r = spawnSync(bin, [...dirArgs, '--install-extension', path.resolve(vsix), '--force'], {
      env,
      encoding: 'utf8',
      timeout: 120_000,
    });
    const out = `${r.stdout ?? ''}${r.stderr ?? ''}`.trim();
    if (r.status !== 0 || /failed|error/i.test(out.replace(/Marked extension as removed/g, ''))) {
      fs.rmSync(tmpDir, { recursive: true, force: true });
      throw new Error(`code-server --install-extension ${vsix} failed (exit ${r.status}):\n${out}`);
    }
    if (o.verbose) process.stderr.write(`[code-server] ${out}\n`);
  }

  const port = await freePort();
  const args = [
    '--auth',
    'none',
    '--bind-addr',
    `127.0.0.1:${port}`,
    '--disable-telemetry',
    '--disable-update-check',
    ...(o.untrusted ? [] : ['--disable-workspace-trust']),
    '--disable-getting-started-override',
    '--ignore-last-opened',
    ...dirArgs,
  ];
  if (o.workspace) args.push(path.resolve(o.workspace));

  const logFd = fs.openSync(logFile, 'a');
  // detached: own process group, so stop() also ends the extension hosts and pty hosts it forks.
  const child = spawn(bin, args, {
    env,
    cwd: o.workspace ? path.resolve(o.workspace) : tmpDir,
    detached: true,
    stdio: ['ignore', o.verbose ? 'inherit' : logFd, o.verbose ? 'inherit' : logFd],
  });
  fs.closeSync(logFd);
  let exited = null;
  const exitPromise = new Promise((resolve) =>
    child.on('exit', (code, signal) => {
      exited = { code, signal };
      resolve(exited);
    }),
  );

  // Last resort when the runner dies without stop(): end the server's process group and drop its temp dir.
  const onExit = () => {
    if (!exited) {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {}
    }
    if (!process.env.KWB_KEEP_TMP) fs.rmSync(tmpDir, { recursive: true, force: true });
  };
  process.on('exit', onExit);

  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    process.off('exit', onExit);
    if (!exited) {
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {}
      const t = await Promise.race([exitPromise, sleep(5000).then(() => 'timeout')]);
      if (t === 'timeout') {
        try {
          process.kill(-child.pid, 'SIGKILL');
        } catch {}
        await Promise.race([exitPromise, sleep(2000)]);
      }
    }
    // Children forked by the server (extension host) may outlive it for a moment; end the group for good.
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {}
    if (!process.env.KWB_KEEP_TMP) fs.rmSync(tmpDir, { recursive: true, force: true });
  };

  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + (o.timeoutMs ?? 60_000);
  for (;;) {
    if (exited) {
      const msg = tail(logFile);
      await stop();
      throw new Error(`code-server exited early (${JSON.stringify(exited)}):\n${msg}`);
    }
    try {
      const res = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2000) });
      if (res.ok) break;
    } catch {}
    if (Date.now() > deadline) {
      const msg = tail(logFile);
      await stop();
      throw new Error(`code-server did not answer ${url}/healthz within ${(o.timeoutMs ?? 60_000) / 1000} s:\n${msg}`);
    }
    await sleep(250);
  }
  return { url, port, userDataDir, extensionsDir, tmpDir, logFile, env, pid: child.pid, stop };
}

/**
 * Launches headless Chromium (Debian's) through playwright-core with a fresh profile.
 * @returns {Promise<{context: import('playwright-core').BrowserContext, page: import('playwright-core').Page,
 *   userDataDir: string, close: () => Promise<void>}>}
 */
export async function launchBrowser(o = {}) {
  if (!fs.existsSync(CHROMIUM_PATH)) {
    throw new Error(`${CHROMIUM_PATH} not found. Run \`npm run setup\` (installs Debian's chromium) first.`);
  }
  const { chromium } = await import('playwright-core');
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kwb-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM_PATH,
    headless: o.headless ?? true,
    args: [...CHROMIUM_ARGS, ...(o.args ?? [])],
    viewport: o.viewport ?? { width: 1440, height: 900 },
    // Our runners own the signals (they stop code-server and the cluster too); Playwright's own handlers
    // would exit the process as soon as the browser is closed, before the rest is stopped.
    handleSIGINT: false,
    handleSIGTERM: false,
    handleSIGHUP: false,
    deviceScaleFactor: o.deviceScaleFactor ?? 1,
    timeout: 60_000,
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const onExit = () => fs.rmSync(userDataDir, { recursive: true, force: true });
  process.on('exit', onExit);
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    process.off('exit', onExit);
    await context.close().catch(() => {});
    fs.rmSync(userDataDir, { recursive: true, force: true });
  };
  return { context, page, userDataDir, close };
}

/** The URL that opens `folder` and runs an extension test suite (the payload trick, HARNESS.md). */
export function testPayloadUrl(server, { folder, extensionDevelopmentPath, extensionTestsPath }) {
  const remote = (p) => `vscode-remote://127.0.0.1:${server.port}${path.resolve(p)}`;
  const payload = [
    ['extensionDevelopmentPath', remote(extensionDevelopmentPath)],
    ['extensionTestsPath', remote(extensionTestsPath)],
  ];
  return `${server.url}/?folder=${encodeURIComponent(path.resolve(folder))}&payload=${encodeURIComponent(
    JSON.stringify(payload),
  )}`;
}

/** Runs `fn` once when the process is interrupted or exits; returns a function that runs it now. */
export function onShutdown(fn) {
  let running;
  let signalled = false;
  // Every caller awaits the same cleanup, so whoever calls process.exit() does so after it finished.
  const run = () => (running ??= Promise.resolve().then(fn));
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(sig, async () => {
      if (signalled) return; // a second Ctrl-C while stopping: keep stopping
      signalled = true;
      process.stderr.write(`\nreceived ${sig}: stopping\n`);
      await run().catch(() => {});
      process.exit(sig === 'SIGINT' ? 130 : 143);
    });
  }
  return run;
}

/**
 * Starts the local Kubernetes control plane (test/cluster/index.ts, through tsx) for a test run, or explains
 * why not. Without test/cluster/index.ts (or with KWB_CLUSTER=absent) `present` is false, `reason` says why and
 * `env` carries KWB_CLUSTER=absent so the suites skip their cluster tests with that reason. A cluster that is
 * there but cannot be built (no Go) or fails to start is an error (thrown). A present cluster has the seeded Helm
 * release (scripts/helm.mjs) and `env` puts the test helm binary first on PATH (and in KWB_HELM).
 * @returns {Promise<{present:boolean, reason?:string, kubeconfigPath?:string, contexts?:object, contextNames?:string[],
 *   helmPath?:string, env:Record<string,string>, stop:() => Promise<void>}>}
 */
export async function startClusterForTests({ repoRoot, log = (m) => console.log(m) } = {}) {
  const root = repoRoot ?? path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');
  const absent = (reason) => {
    // `npm test` and CI always expect the cluster: there, its absence fails the run instead of skipping tests.
    if (process.env.KWB_REQUIRE_CLUSTER === '1')
      throw new Error(`the local control plane is required (KWB_REQUIRE_CLUSTER=1) but absent: ${reason}`);
    log(`SKIP cluster: ${reason}`);
    return {
      present: false,
      reason,
      env: { KWB_CLUSTER: 'absent', KWB_CLUSTER_SKIP_REASON: reason },
      stop: async () => {},
    };
  };
  if (process.env.KWB_CLUSTER === 'absent') return absent('KWB_CLUSTER=absent was set by the caller');
  const index = path.join(root, 'test', 'cluster', 'index.ts');
  if (!fs.existsSync(index)) return absent(`${path.relative(root, index)} does not exist yet`);
  const pathWithGo = [process.env.PATH, '/usr/local/go/bin'].filter(Boolean).join(path.delimiter);
  const go = spawnSync('go', ['version'], { env: { ...process.env, PATH: pathWithGo }, encoding: 'utf8' });
  // The control plane exists, so its tests must run: a missing Go is an error (scripts/setup.sh explains), not a skip.
  if (go.status !== 0) throw new Error('no Go toolchain (`go version` failed) to build the local control plane');
  process.env.PATH = pathWithGo;

  const { tsImport } = await import('tsx/esm/api');
  const { pathToFileURL } = await import('node:url');
  const mod = await tsImport(pathToFileURL(index).href, import.meta.url);
  const startCluster = mod.startCluster ?? mod.default?.startCluster;
  if (typeof startCluster !== 'function') throw new Error(`${index} does not export startCluster()`);
  const t0 = Date.now();
  log('starting the local control plane (test/cluster) ...');
  // With a real metrics-server (metrics.k8s.io, kubectl top) unless KWB_CLUSTER_METRICS=0: it adds about 35 s to
  // the start (cluster ready waits for the pods' numbers) and about 90 MiB (test/cluster/README.md).
  const cluster = await startCluster({ seed: true, metrics: process.env.KWB_CLUSTER_METRICS !== '0' });
  const c = cluster.contexts ?? {};
  const contextNames = (Array.isArray(c) ? c : Object.values(c)).map((x) => (typeof x === 'string' ? x : x?.name));
  log(
    `cluster up in ${((Date.now() - t0) / 1000).toFixed(1)} s: KUBECONFIG=${cluster.kubeconfigPath}` +
      ` contexts=${contextNames.join(',')}`,
  );
  let stopped = false;
  // A helm built from Go modules (scripts/helm.mjs), the seeded release with two revisions, and that helm on the
  // PATH of code-server (and so of the extension host) for rollback and uninstall.
  let helmBin;
  try {
    const helm = await import(path.join(root, 'scripts', 'helm.mjs'));
    helmBin = await helm.build({ quiet: true });
    await helm.seed({ bin: helmBin, kubeconfig: cluster.kubeconfigPath });
    log(`helm release ${helm.DEMO_RELEASE.namespace}/${helm.DEMO_RELEASE.name} seeded with ${helmBin}`);
  } catch (err) {
    await cluster.stop().catch(() => {});
    throw err;
  }
  return {
    present: true,
    kubeconfigPath: cluster.kubeconfigPath,
    contexts: cluster.contexts,
    contextNames,
    helmPath: helmBin,
    env: {
      KUBECONFIG: cluster.kubeconfigPath,
      KWB_CLUSTER: 'present',
      KWB_HELM: helmBin,
      PATH: [path.dirname(helmBin), process.env.PATH].filter(Boolean).join(path.delimiter),
    },
    stop: async () => {
      if (stopped) return;
      stopped = true;
      await cluster.stop();
    },
  };
}
