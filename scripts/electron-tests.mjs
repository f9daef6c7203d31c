// The integration suite in a desktop VS Code (Electron), the standard way: @vscode/test-electron downloads
// VS Code and runs the same `run()` entry (out/test/integration/index.js) that scripts/integration-tests.mjs runs
// in code-server. For contributors with a desktop and internet; CI on this project uses code-server instead.
//
//   node scripts/electron-tests.mjs [--no-build] [--version <vscode version>]   (needs a display, or xvfb-run)
//
// Here the extension under test is the repo itself (extensionDevelopmentPath = repo root), with a fresh
// user-data and extensions dir. KWB_CLUSTER / KUBECONFIG pass through from your environment (default: absent).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runTests } from '@vscode/test-electron';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const argv = process.argv.slice(2);
const vi = argv.indexOf('--version');
const version = vi >= 0 ? argv[vi + 1] : (process.env.KWB_VSCODE_VERSION ?? '1.100.3');

if (!argv.includes('--no-build')) {
  for (const script of ['build', 'build:tests']) {
    const r = spawnSync('npm', ['run', '--silent', script], { cwd: repoRoot, stdio: 'inherit' });
    if (r.status !== 0) process.exit(r.status ?? 1);
  }
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kwb-electron-'));
const reportFile = path.join(tmp, 'report.txt');
let code = 1;
try {
  code = await runTests({
    version,
    extensionDevelopmentPath: repoRoot,
    extensionTestsPath: path.join(repoRoot, 'out', 'test', 'integration', 'index.js'),
    launchArgs: [
      path.join(repoRoot, 'test', 'fixtures', 'workspace'),
      '--user-data-dir',
      path.join(tmp, 'user-data'),
      '--extensions-dir',
      path.join(tmp, 'extensions'),
      '--disable-workspace-trust',
      '--skip-welcome',
      '--skip-release-notes',
    ],
    extensionTestsEnv: {
      KWB_TEST_REPORT: reportFile,
      KWB_WORKSPACE: path.join(repoRoot, 'test', 'fixtures', 'workspace'),
      KWB_CLUSTER: process.env.KWB_CLUSTER ?? 'absent',
      ...(process.env.KWB_CLUSTER === 'present'
        ? {}
        : { KWB_CLUSTER_SKIP_REASON: 'electron runner: no cluster started' }),
    },
  });
} catch (err) {
  console.error(`electron tests failed to run: ${err?.message ?? err}`);
} finally {
  if (fs.existsSync(reportFile)) process.stdout.write(fs.readFileSync(reportFile, 'utf8'));
  fs.rmSync(tmp, { recursive: true, force: true });
}
process.exit(code);
