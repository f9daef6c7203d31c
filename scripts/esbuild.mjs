// Bundles the extension and its language-server entry (and, with --tests, the integration suite).
import { build, context } from 'esbuild';
import { cpSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const args = new Set(process.argv.slice(2));
const production = args.has('--production');
const watch = args.has('--watch');

const common = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  sourcemap: production ? false : 'linked',
  minify: production,
  // ws has optional native helpers; the pure-JS fallbacks are fine.
  external: ['vscode', 'bufferutil', 'utf-8-validate'],
  logLevel: 'info',
  metafile: true,
  // client-node is ESM: esbuild turns it into CommonJS; `import.meta.url` is used by a few deps.
  define: { 'import.meta.url': 'importMetaUrl' },
  banner: { js: "const importMetaUrl = require('url').pathToFileURL(__filename).href;" },
};

const extension = {
  ...common,
  entryPoints: { extension: 'src/extension.ts', yamlServer: 'src/server/yamlServer.ts' },
  outdir: 'dist',
  // The UMD builds of jsonc-parser and the vscode-*-languageservice packages hide their requires from the
  // bundler; their ES module builds do not.
  mainFields: ['module', 'main'],
};

if (args.has('--tests')) {
  const suites = readdirSync('test/integration')
    .filter((f) => f.endsWith('.test.ts'))
    .map((f) => join('test/integration', f));
  await build({
    ...common,
    sourcemap: 'inline',
    entryPoints: ['test/integration/index.ts', ...suites],
    outdir: 'out/test/integration',
    // mocha is loaded from node_modules at run time: it must be the same instance for index and suites.
    external: [...common.external, 'mocha'],
    logLevel: 'warning',
  });
  // A tiny extension that hosts the tests, so the extension under test is the installed .vsix itself.
  const manifest = JSON.parse(readFileSync('package.json', 'utf8'));
  mkdirSync('out/test/host', { recursive: true });
  writeFileSync(
    'out/test/host/package.json',
    JSON.stringify(
      {
        name: 'kube-workbench-tests',
        publisher: 'kube-workbench',
        version: manifest.version,
        engines: manifest.engines,
        description: 'Hosts the Kube Workbench integration tests.',
      },
      null,
      2,
    ),
  );
} else if (watch) {
  copyServerAssets();
  const ctx = await context(extension);
  await ctx.watch();
} else {
  copyServerAssets();
  const result = await build(extension);
  for (const [file, info] of Object.entries(result.metafile.outputs)) {
    if (file.endsWith('.js')) console.log(`${file}: ${(info.bytes / 1024).toFixed(0)} KiB`);
  }
}

/** The language server reads its message bundles from disk; the client passes this folder as `l10nPath`. */
function copyServerAssets() {
  cpSync('node_modules/yaml-language-server/l10n', 'dist/l10n', { recursive: true });
}
