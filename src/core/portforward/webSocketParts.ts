// The `ws` WebSocket class, bundled on its own as dist/lib/ws.js and loaded on first use through
// webSocketClass(): never import this module directly (scripts/esbuild.mjs fails the build if something does).
export { WebSocket } from 'ws';
