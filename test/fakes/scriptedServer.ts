// A scripted HTTP server on loopback, for the protocol faults a real API server will not produce on cue (410 in
// the middle of a watch, a dropped or silent connection, 429, a webhook refusal, a server that goes away). Every
// normal path is tested against the real local control plane instead.
import * as http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';
import { ClusterClient } from '../../src/core/kube/clusterClient';
import { ADMIT_EVERYTHING } from '../../src/core/kube/changeGuard';

/** Called once the request body has arrived (empty for GET). */
export type ScriptedHandler = (req: http.IncomingMessage, url: URL, res: http.ServerResponse, body: string) => void;

export interface ScriptedServer {
  readonly url: string;
  /** Every request's URL, in arrival order. */
  readonly requests: URL[];
  /** Ends open connections too, so a hanging watch does not keep the test alive. */
  close(): Promise<void>;
}

export async function scriptedServer(handler: ScriptedHandler): Promise<ScriptedServer> {
  const requests: URL[] = [];
  const sockets = new Set<Socket>();
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    requests.push(url);
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => handler(req, url, res, Buffer.concat(chunks).toString('utf8')));
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

/** A ClusterClient for context "test" pointed at a scripted server (plain http, so TLS checks are off). */
export function scriptedClient(server: string, defaults?: { timeoutMs: number }): ClusterClient {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'c', server, skipTLSVerify: true }],
    users: [{ name: 'u', token: 't' }],
    contexts: [{ name: 'test', cluster: 'c', user: 'u' }],
    currentContext: 'test',
  });
  return new ClusterClient('test', kc, ADMIT_EVERYTHING, defaults);
}
