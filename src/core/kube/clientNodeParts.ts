// The parts of @kubernetes/client-node the extension uses. Bundled on their own as dist/lib/clientNode.js (only
// these, so the rest of the package is left out) and loaded on first use through clientNode(): never import
// this module directly (scripts/esbuild.mjs fails the build if something does).
export { Attach, Exec, KubeConfig } from '@kubernetes/client-node';
