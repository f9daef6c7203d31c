// Builds the production bundle and packs dist/kube-workbench.vsix (allowlist in .vscodeignore), then checks
// that the package holds what it should and stays small.
import { execFileSync } from 'node:child_process';
import { statSync } from 'node:fs';

const run = (cmd, args) => execFileSync(cmd, args, { stdio: 'inherit' });
run(process.execPath, ['scripts/esbuild.mjs', '--production']);
run(process.execPath, [
  'node_modules/@vscode/vsce/vsce',
  'package',
  '--no-dependencies',
  '--skip-license',
  '--allow-missing-repository',
  // The README's screenshots are relative links into this repository; there is no public URL to rewrite them to.
  '--no-rewrite-relative-links',
  '--out',
  'dist/kube-workbench.vsix',
]);
const size = statSync('dist/kube-workbench.vsix').size;
const limitMiB = 8;
console.log(`dist/kube-workbench.vsix: ${(size / 1024 / 1024).toFixed(2)} MiB (limit ${limitMiB} MiB)`);
if (size > limitMiB * 1024 * 1024) {
  console.error(`the package is larger than ${limitMiB} MiB: check .vscodeignore`);
  process.exit(1);
}
