// Bundles the extension, the packages it loads on first use and its language-server entry (and, with --tests, the
// integration suite).
import { build, context } from 'esbuild';
import { cpSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';

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

/**
 * Code the extension loads on first use, each part bundled on its own as dist/lib/<file>.js, so that activation
 * reads, compiles and runs only what shows the contexts (VS Code counts loading the bundle as activation time).
 * A part (`module`, which re-exports what is used of a package) is reached only through `require()` in its
 * `loader`; the build fails on any other import of it (a type-only import is fine: it is erased).
 */
const lazyParts = [
  { module: 'src/core/kube/clientNodeParts.ts', loader: 'src/core/kube/clientNode.ts', file: 'clientNode' },
  {
    module: 'src/ext/yaml/languageClientParts.ts',
    loader: 'src/ext/yaml/languageClient.ts',
    file: 'languageClient',
  },
  { module: 'src/core/portforward/webSocketParts.ts', loader: 'src/core/portforward/webSocket.ts', file: 'ws' },
  { module: 'src/core/yaml/yamlParts.ts', loader: 'src/core/yaml/lazyYaml.ts', file: 'yaml' },
];

/**
 * The extension's `import … from 'yaml'` resolve to src/core/yaml/lazyYaml.ts, which forwards each name to the
 * package loaded on first use (dist/lib/yaml.js): a quarter of the activation bundle that showing the contexts
 * never runs. Only the extension's bundle: the language server and the MCP server load it at start anyway.
 */
const lazyYamlPlugin = {
  name: 'lazy-yaml',
  setup(pluginBuild) {
    const parts = resolve('src/core/yaml/yamlParts.ts');
    pluginBuild.onResolve({ filter: /^yaml$/ }, (args) => {
      if (args.importer === parts || !args.importer.startsWith(resolve('src'))) return undefined;
      return { path: resolve('src/core/yaml/lazyYaml.ts') };
    });
  },
};

/** What must not be in dist/extension.js: the packages of the lazy parts and what only they use. */
const notAtActivation = [
  /node_modules\/@kubernetes\/client-node\/(?!dist\/config_types\.js$)/,
  /node_modules\/(vscode-languageclient|vscode-jsonrpc|vscode-languageserver-protocol|ws|node-fetch|tr46|whatwg-url|yaml)\//,
];

const lazyPartsPlugin = {
  name: 'lazy-parts',
  setup(pluginBuild) {
    const names = lazyParts.map((p) => basename(p.module, '.ts'));
    pluginBuild.onResolve({ filter: new RegExp(`/(${names.join('|')})(\\.ts)?$`) }, (args) => {
      const target = resolve(args.resolveDir, args.path.replace(/(\.ts)?$/, '.ts'));
      const part = lazyParts.find((p) => resolve(p.module) === target);
      if (!part) return undefined;
      if (args.kind !== 'require-call' || args.importer !== resolve(part.loader)) {
        return { errors: [{ text: `${part.module} is loaded on first use: go through ${part.loader}` }] };
      }
      // Relative to dist/extension.js, which is where Node resolves the require() from.
      return { path: `./lib/${part.file}.js`, external: true };
    });
  },
};

/**
 * client-node's KubeConfig file imports the generated API client and node-fetch (with whatwg-url's Unicode tables)
 * for two methods we never call; loaded, they cost the extension host about 20 MiB. Those two imports of that file
 * resolve to src/core/kube/clientNodeUnused.ts instead (which throws if ever used).
 */
const clientNodeTrimPlugin = {
  name: 'client-node-trim',
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter: /^(\.\/gen\/index\.js|node-fetch)$/ }, (args) => {
      if (!/[\\/]@kubernetes[\\/]client-node[\\/]dist[\\/]config\.js$/.test(args.importer)) return undefined;
      return { path: resolve('src/core/kube/clientNodeUnused.ts') };
    });
  },
};

/** What must not be in any bundle that talks to clusters (see clientNodeTrimPlugin). */
const neverBundled = [
  /node_modules\/@kubernetes\/client-node\/dist\/gen\//,
  /node_modules\/(node-fetch|tr46|whatwg-url)\//,
];

const extension = {
  ...common,
  entryPoints: { extension: 'src/extension.ts' },
  outdir: 'dist',
  plugins: [lazyPartsPlugin, lazyYamlPlugin],
};

/** The language server (its own process) and the lazily loaded packages, each a self-contained bundle. */
const others = {
  ...common,
  entryPoints: {
    yamlServer: 'src/server/yamlServer.ts',
    ...Object.fromEntries(lazyParts.map((p) => [`lib/${p.file}`, p.module])),
  },
  outdir: 'dist',
  plugins: [clientNodeTrimPlugin],
  // The UMD builds of jsonc-parser and the vscode-*-languageservice packages hide their requires from the
  // bundler; their ES module builds do not.
  mainFields: ['module', 'main'],
};

/** The MCP server (`kube-workbench-mcp`): its own process, run with node, outside VS Code. */
const mcpServer = {
  ...common,
  entryPoints: { mcp: 'src/mcp/main.ts' },
  outdir: 'dist',
  banner: { js: `#!/usr/bin/env node\n${common.banner.js}` },
  plugins: [clientNodeTrimPlugin],
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
        // It runs in the untrusted-workspace suite too (scripts/integration-tests.mjs --untrusted).
        capabilities: { untrustedWorkspaces: { supported: true } },
      },
      null,
      2,
    ),
  );
} else if (watch) {
  copyServerAssets();
  const contexts = [await context(extension), await context(others), await context(mcpServer)];
  await Promise.all(contexts.map((ctx) => ctx.watch()));
} else {
  copyServerAssets();
  const [main, rest, mcp] = await Promise.all([build(extension), build(others), build(mcpServer)]);
  const early = Object.keys(main.metafile.inputs).filter((input) => notAtActivation.some((re) => re.test(input)));
  if (early.length > 0) {
    console.error(`dist/extension.js must not contain these (they load on first use):\n  ${early.join('\n  ')}`);
    process.exit(1);
  }
  const heavy = [main, rest, mcp].flatMap((result) =>
    Object.keys(result.metafile.inputs).filter((input) => neverBundled.some((re) => re.test(input))),
  );
  if (heavy.length > 0) {
    console.error(`No bundle may contain these (see clientNodeTrimPlugin):\n  ${[...new Set(heavy)].join('\n  ')}`);
    process.exit(1);
  }
  for (const result of [main, rest, mcp]) {
    for (const [file, info] of Object.entries(result.metafile.outputs)) {
      if (file.endsWith('.js')) console.log(`${file}: ${(info.bytes / 1024).toFixed(0)} KiB`);
    }
  }
}

/** The language server reads its message bundles from disk; the client passes this folder as `l10nPath`. */
function copyServerAssets() {
  cpSync('node_modules/yaml-language-server/l10n', 'dist/l10n', { recursive: true });
}
