// The integration suite in a desktop VS Code (Electron), the standard way: @vscode/test-electron downloads
// VS Code (needs internet) and runs the same `run()` entry (out/test/integration/index.js) that
// scripts/integration-tests.mjs runs in code-server. For contributors with a desktop; CI uses code-server.
//
//   node scripts/electron-tests.mjs [--no-build] [--from-sources] [--version <vscode version>]
//   (on Linux without a display: xvfb-run -a node scripts/electron-tests.mjs)
//
// Default, like CI: the packaged dist/kube-workbench.vsix is installed into a fresh extensions dir and the tiny
// test host out/test/host is the extensionDevelopmentPath, so the suite tests what users install.
// --from-sources: the repo root is the extensionDevelopmentPath instead (handy with a debugger; the test that
// checks the installed package does not ship sources fails then, by design).
// The local control plane (test/cluster) is started as in the code-server runner when Go is there; otherwise
// `SKIP cluster: <reason>` and KWB_CLUSTER=absent.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { downloadAndUnzipVSCode, resolveCliArgsFromVSCodeExecutablePath, runTests } from '@vscode/test-electron';
import { onShutdown, startClusterForTests } from './lib/codeServer.mjs';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const argv = process.argv.slice(2);
const vi = argv.indexOf('--version');
const version = vi >= 0 ? argv[vi + 1] : (process.env.KWB_VSCODE_VERSION ?? '1.100.3');
const fromSources = argv.includes('--from-sources');
const workspace = path.join(repoRoot, 'test', 'fixtures', 'workspace');
const vsix = path.join(repoRoot, 'dist', 'kube-workbench.vsix');
const log = (m) => console.log(`[electron] ${m}`);

if (!argv.includes('--no-build')) {
  for (const script of [fromSources ? 'build' : 'package', 'build:tests']) {
    const r = spawnSync('npm', ['run', '--silent', script], { cwd: repoRoot, stdio: 'inherit' });
    if (r.status !== 0) process.exit(r.status ?? 1);
  }
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kwb-electron-'));
const reportFile = path.join(tmp, 'report.txt');
const userDataDir = path.join(tmp, 'user-data');
const extensionsDir = path.join(tmp, 'extensions');
let cluster;
const cleanup = onShutdown(async () => {
  await cluster?.stop().catch(() => {});
  fs.rmSync(tmp, { recursive: true, force: true });
});

let code = 1;
try {
  fs.mkdirSync(path.join(userDataDir, 'User'), { recursive: true });
  fs.writeFileSync(
    path.join(userDataDir, 'User', 'settings.json'),
    JSON.stringify({ 'security.workspace.trust.enabled': false, 'workbench.startupEditor': 'none' }),
  );
  const vscodeExecutablePath = await downloadAndUnzipVSCode(version);
  if (!fromSources) {
    const [cli, ...cliArgs] = resolveCliArgsFromVSCodeExecutablePath(vscodeExecutablePath);
    log(`installing ${path.relative(repoRoot, vsix)}`);
    const r = spawnSync(
      cli,
      [...cliArgs, '--user-data-dir', userDataDir, '--extensions-dir', extensionsDir, '--install-extension', vsix],
      { encoding: 'utf8', stdio: 'inherit', shell: process.platform === 'win32' },
    );
    if (r.status !== 0) throw new Error(`--install-extension failed with exit ${r.status}`);
  }
  cluster = await startClusterForTests({ repoRoot, log });
  code = await runTests({
    vscodeExecutablePath,
    extensionDevelopmentPath: fromSources ? repoRoot : path.join(repoRoot, 'out', 'test', 'host'),
    extensionTestsPath: path.join(repoRoot, 'out', 'test', 'integration', 'index.js'),
    launchArgs: [
      workspace,
      '--user-data-dir',
      userDataDir,
      '--extensions-dir',
      extensionsDir,
      '--disable-workspace-trust',
      '--skip-welcome',
      '--skip-release-notes',
    ],
    extensionTestsEnv: { ...cluster.env, KWB_TEST_REPORT: reportFile, KWB_WORKSPACE: workspace },
  });
} catch (err) {
  console.error(
    `electron tests failed to run: ${err?.message ?? err}\n` +
      '(this runner downloads VS Code; without internet use `npm run test:integration`, which uses code-server)',
  );
} finally {
  // The suite's report ends with its "integration: N passed, N failed" line.
  if (fs.existsSync(reportFile)) process.stdout.write(fs.readFileSync(reportFile, 'utf8'));
  await cleanup();
}
process.exit(code);
