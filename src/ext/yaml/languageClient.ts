import type * as LanguageClientParts from './languageClientParts';

let loaded: typeof LanguageClientParts | undefined;

/**
 * `vscode-languageclient/node` (with vscode-jsonrpc and the protocol types), loaded when the first manifest
 * starts the YAML server, not at activation (scripts/esbuild.mjs bundles ./languageClientParts as
 * dist/lib/languageClient.js and turns this require() into a require of that file).
 */
export function languageClientModule(): typeof LanguageClientParts {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a synchronous load on first use, on purpose
  return (loaded ??= require('./languageClientParts') as typeof LanguageClientParts);
}
