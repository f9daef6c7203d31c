// The parts of @kubernetes/client-node the extension uses. Bundled on their own as dist/lib/clientNode.js (only
// these, so the rest of the package is left out) and loaded on first use through clientNode(): never import
// this module directly (scripts/esbuild.mjs fails the build if something does).
//
// Imported from their own files, not the package index (which pulls in every generated API class). KubeConfig's
// file still imports the generated client and node-fetch for makeApiClient() and applyToFetchOptions(), which we
// never call: the bundle replaces those two imports with ./clientNodeUnused (see scripts/esbuild.mjs). Loading
// them cost the extension host about 20 MiB of memory for nothing.
export { KubeConfig } from '@kubernetes/client-node/dist/config.js';
export { Exec } from '@kubernetes/client-node/dist/exec.js';
export { Attach } from '@kubernetes/client-node/dist/attach.js';
