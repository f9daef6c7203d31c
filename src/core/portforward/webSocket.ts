import type * as WebSocketParts from './webSocketParts';

let loaded: typeof WebSocketParts | undefined;

/**
 * The `ws` WebSocket class, loaded when the first port-forward opens, not at activation (scripts/esbuild.mjs
 * bundles ./webSocketParts as dist/lib/ws.js and turns this require() into a require of that file).
 */
export function webSocketClass(): typeof WebSocketParts.WebSocket {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a synchronous load on first use, on purpose
  return (loaded ??= require('./webSocketParts') as typeof WebSocketParts).WebSocket;
}
