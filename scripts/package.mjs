// Builds the production bundle and packs dist/kube-workbench.vsix (allowlist in .vscodeignore), then checks
// that the package holds every bundle and stays small.
import { execFileSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { sep } from 'node:path';

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
// .vscodeignore is an allowlist: every bundle the build wrote (the extension loads dist/lib/*.js on first use)
// must be in the package, or the installed extension fails only when that code is first needed.
const listed = new Set(
  execFileSync(process.execPath, ['node_modules/@vscode/vsce/vsce', 'ls', '--no-dependencies'], { encoding: 'utf8' })
    .split('\n')
    .map((line) => line.trim()),
);
const bundles = readdirSync('dist', { recursive: true })
  .map((file) => `dist/${String(file).split(sep).join('/')}`)
  .filter((file) => file.endsWith('.js'));
const missing = bundles.filter((file) => !listed.has(file));
if (missing.length > 0) {
  console.error(`the package leaves out ${missing.join(', ')}: add it to .vscodeignore's allowlist`);
  process.exit(1);
}
const size = statSync('dist/kube-workbench.vsix').size;
const limitMiB = 8;
console.log(`dist/kube-workbench.vsix: ${(size / 1024 / 1024).toFixed(2)} MiB (limit ${limitMiB} MiB)`);
if (size > limitMiB * 1024 * 1024) {
  console.error(`the package is larger than ${limitMiB} MiB: check .vscodeignore`);
  process.exit(1);
}
