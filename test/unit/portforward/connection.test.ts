// The port-forward WebSocket honours what the kubeconfig says about reaching the server, like every request:
// basic auth, the name to expect on the server's certificate (tls-server-name) and a proxy (proxy-url). The servers
// here only record what a connection brings (the handshake is then refused), which no real API server reports.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as http from 'node:http';
import * as https from 'node:https';
import { readFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ClusterClient } from '../../../src/core/kube/clusterClient';
import { ADMIT_EVERYTHING } from '../../../src/core/kube/changeGuard';
import { loadKubeconfig } from '../../../src/core/kube/kubeconfig';
import { websocketOpener } from '../../../src/core/portforward/portForward';

function clientFor(cluster: string, user: string): ClusterClient {
  const file = join(mkdtempSync(join(tmpdir(), 'kwb-pf-')), 'config');
  writeFileSync(
    file,
    `apiVersion: v1\nkind: Config\nclusters:\n  - name: c\n    cluster:\n${cluster}users:\n  - name: u\n    user:\n${user}contexts:\n  - name: ctx\n    context: { cluster: c, user: u }\ncurrent-context: ctx\n`,
  );
  return new ClusterClient('ctx', loadKubeconfig([file]).kubeConfigFor('ctx'), ADMIT_EVERYTHING);
}

/** Records each upgrade request, then refuses it. */
function recordUpgrades(server: http.Server, seen: { url: string; auth?: string; servername?: string }[]): void {
  server.on('upgrade', (req, socket) => {
    seen.push({
      url: req.url ?? '',
      auth: req.headers.authorization,
      servername: (socket as unknown as { servername?: string }).servername,
    });
    socket.end('HTTP/1.1 403 Forbidden\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}');
  });
}

/** A TLS server with a throwaway certificate (the clients skip verification). */
function tlsServer(): https.Server {
  const certs = resolve('test/fixtures/certs');
  return https.createServer({
    cert: readFileSync(join(certs, 'expired.crt')),
    key: readFileSync(join(certs, 'expired.key')),
  });
}

async function listen(server: http.Server): Promise<number> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return (server.address() as AddressInfo).port;
}

describe('port-forward connections', () => {
  it('send basic auth from the kubeconfig', async () => {
    const seen: { url: string; auth?: string }[] = [];
    const server = tlsServer();
    recordUpgrades(server, seen);
    const port = await listen(server);
    try {
      const client = clientFor(
        `      server: https://127.0.0.1:${port}\n      insecure-skip-tls-verify: true\n`,
        '      username: ada\n      password: lovelace\n',
      );
      await assert.rejects(websocketOpener(client)('ns', 'web', 8080, () => undefined));
      assert.equal(seen[0]?.auth, `Basic ${Buffer.from('ada:lovelace').toString('base64')}`);
      assert.equal(seen[0]?.url, '/api/v1/namespaces/ns/pods/web/portforward?ports=8080');
    } finally {
      server.close();
    }
  });

  it('ask the server for the name in tls-server-name', async () => {
    const seen: { url: string; servername?: string }[] = [];
    const server = tlsServer();
    recordUpgrades(server, seen);
    const port = await listen(server);
    try {
      const client = clientFor(
        `      server: https://127.0.0.1:${port}\n      insecure-skip-tls-verify: true\n      tls-server-name: api.cluster.example\n`,
        '      token: t\n',
      );
      await assert.rejects(websocketOpener(client)('ns', 'web', 8080, () => undefined));
      assert.equal(seen[0]?.servername, 'api.cluster.example');
    } finally {
      server.close();
    }
  });

  it('go through the proxy in proxy-url', async () => {
    const connects: string[] = [];
    const proxy = http.createServer();
    proxy.on('connect', (req, socket) => {
      connects.push(req.url ?? '');
      socket.end('HTTP/1.1 403 Forbidden\r\n\r\n');
    });
    const port = await listen(proxy);
    try {
      const client = clientFor(
        `      server: https://cluster.invalid:6443\n      insecure-skip-tls-verify: true\n      proxy-url: http://127.0.0.1:${port}\n`,
        '      token: t\n',
      );
      await assert.rejects(websocketOpener(client)('ns', 'web', 8080, () => undefined));
      assert.deepEqual(connects, ['cluster.invalid:6443']);
    } finally {
      proxy.close();
    }
  });
});
