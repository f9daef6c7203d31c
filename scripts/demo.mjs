// `npm run demo`: from a fresh clone, installs what is missing, builds the extension, starts the local control
// plane with its seeded workloads and a code-server with the extension installed and the demo kubeconfig
// selected, and prints the URL to open. Ctrl-C stops everything it started.
//
//   npm run demo [-- --pods 1000]
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const argv = process.argv.slice(2);
const option = (name) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};
const log = (m) => console.log(`[demo] ${m}`);

function step(what, cmd, args) {
  log(what);
  const r = spawnSync(cmd, args, { cwd: repoRoot, stdio: 'inherit' });
  if (r.status !== 0) {
    console.error(`[demo] ${what} failed (exit ${r.status}); see the output above`);
    process.exit(1);
  }
}

step('installing what is missing (scripts/setup.sh)', 'bash', ['scripts/setup.sh']);
step('building and packaging the extension', process.execPath, ['scripts/package.mjs']);

const { startCodeServer, onShutdown } = await import('./lib/codeServer.mjs');

const stateDir = path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache'), 'kube-workbench', 'demo');
fs.mkdirSync(stateDir, { recursive: true });
const kubeconfig = path.join(stateDir, 'kubeconfig');

let cluster;
let server;
let stopping = false;
const stopAll = onShutdown(async () => {
  stopping = true;
  log('stopping');
  await server?.stop().catch(() => {});
  if (cluster && cluster.exitCode === null) {
    cluster.kill('SIGTERM');
    await new Promise((r) => cluster.once('exit', r));
  }
  log('stopped: code-server and the local cluster are gone');
});

log('starting the local control plane with demo workloads (the first run builds it: many minutes)');
const clusterArgs = ['scripts/cluster.mjs', '--seed', '--kubeconfig', kubeconfig];
if (option('--pods')) clusterArgs.push('--pods', option('--pods'));
cluster = spawn(process.execPath, clusterArgs, { cwd: repoRoot, stdio: ['ignore', 'pipe', 'inherit'] });
await new Promise((resolve, reject) => {
  let buffer = '';
  cluster.stdout.on('data', (chunk) => {
    const text = chunk.toString('utf8');
    process.stdout.write(text.replace(/^/gm, '[cluster] '));
    buffer += text;
    if (/^cluster ready$/m.test(buffer)) resolve();
  });
  cluster.once('exit', (code) => reject(new Error(`the local cluster exited (code ${code}) before it was ready`)));
}).catch(async (err) => {
  console.error(`[demo] ${err.message}`);
  await stopAll();
  process.exit(1);
});
cluster.on('exit', (code) => {
  if (stopping) return;
  console.error(`[demo] the local cluster stopped (code ${code}); stopping the demo`);
  void stopAll().then(() => process.exit(1));
});

// A Helm release with two revisions (helm built from Go modules, scripts/helm.mjs); the demo goes on without it.
let helmBin;
try {
  const helm = await import('./helm.mjs');
  helmBin = await helm.build();
  await helm.seed({ bin: helmBin, kubeconfig });
  log(`Helm release ${helm.DEMO_RELEASE.namespace}/${helm.DEMO_RELEASE.name} installed and upgraded (2 revisions)`);
} catch (err) {
  log(`no Helm release seeded: ${err.message}`);
}

const workspace = path.join(repoRoot, 'test', 'fixtures', 'workspace');
server = await startCodeServer({
  workspace,
  env: { KUBECONFIG: kubeconfig },
  extensionsToInstall: [path.join(repoRoot, 'dist', 'kube-workbench.vsix')],
});
console.log('');
log(`open ${server.url}/?folder=${encodeURIComponent(workspace)}`);
log(`kubeconfig: ${kubeconfig} (contexts kwb-admin, kwb-viewer, kwb-exec, kwb-offline)`);
log('the Kube Workbench icon in the activity bar opens the Clusters view; Ctrl-C stops everything');
if (helmBin) log(`for Helm rollback and uninstall, set kubeWorkbench.helm.path to ${helmBin}`);
await new Promise(() => {});
