import type * as ClientNodeParts from './clientNodeParts';

let loaded: typeof ClientNodeParts | undefined;

/**
 * `@kubernetes/client-node`, loaded on first use. It is most of the extension's code (with node-fetch,
 * whatwg-url and tr46, which builds its Unicode tables as it loads), and listing the contexts does not need it:
 * only talking to a cluster does. scripts/esbuild.mjs bundles ./clientNodeParts as dist/lib/clientNode.js and
 * turns this require() into a require of that file.
 */
export function clientNode(): typeof ClientNodeParts {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a synchronous load on first use, on purpose
  return (loaded ??= require('./clientNodeParts') as typeof ClientNodeParts);
}
