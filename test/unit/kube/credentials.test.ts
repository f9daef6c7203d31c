// Credentials as a user's kubeconfig gives them: exec plugins (missing, relative, failing) and client
// certificates outside their validity. The scripted server only records what arrives (nothing should, for most).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { scriptedServer } from '../../fakes/scriptedServer';
import { ClusterClient, redactSecrets } from '../../../src/core/kube/clusterClient';
import { ADMIT_EVERYTHING } from '../../../src/core/kube/changeGuard';
import { loadKubeconfig } from '../../../src/core/kube/kubeconfig';

function kubeconfig(dir: string, server: string, user: string): string {
  const file = join(dir, 'config');
  writeFileSync(
    file,
    `apiVersion: v1
kind: Config
clusters:
  - name: c
    cluster:
      server: ${server}
      insecure-skip-tls-verify: true
users:
  - name: u
    user:
${user}
contexts:
  - name: ctx
    context: { cluster: c, user: u }
current-context: ctx
`,
  );
  return file;
}

function clientFor(file: string): ClusterClient {
  return new ClusterClient('ctx', loadKubeconfig([file]).kubeConfigFor('ctx'), ADMIT_EVERYTHING, { timeoutMs: 5_000 });
}

/** An ExecCredential with a client certificate; the plugin puts its expiry (a second later) in for EXPIRES. */
function credential(certJson: string, keyJson: string): string {
  return `{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"clientCertificateData":${certJson},"clientKeyData":${keyJson},"expirationTimestamp":"EXPIRES"}}`;
}

const exec = (command: string, extra = ''): string =>
  `      exec:\n        apiVersion: client.authentication.k8s.io/v1\n        command: ${command}\n        interactiveMode: Never\n${extra}`;

describe('credentials', () => {
  it('names a missing exec plugin and shows its install hint, as kubectl does', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kwb-cred-'));
    const file = kubeconfig(
      dir,
      'http://127.0.0.1:9',
      exec('kwb-no-such-plugin-anywhere', '        installHint: "Install it with: apt-get install kwb-login"\n'),
    );
    await assert.rejects(
      clientFor(file).request('/version'),
      /credential plugin "kwb-no-such-plugin-anywhere" was not found\. Install it with: apt-get install kwb-login/,
    );
  });

  it('runs a relative plugin command from the kubeconfig file’s folder, whatever the working directory', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kwb-cred-'));
    mkdirSync(join(dir, 'bin'));
    const plugin = join(dir, 'bin', 'get-token.sh');
    writeFileSync(
      plugin,
      `#!/bin/sh\necho '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"tok-from-relative-plugin"}}'\n`,
    );
    chmodSync(plugin, 0o755);
    const seen: string[] = [];
    const server = await scriptedServer((req, _url, res) => {
      seen.push(String(req.headers.authorization));
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end('{"gitVersion":"v1.36.1"}');
    });
    try {
      const file = kubeconfig(dir, server.url, exec('./bin/get-token.sh'));
      assert.notEqual(resolve(process.cwd()), dir);
      await clientFor(file).request('/version');
      assert.deepEqual(seen, ['Bearer tok-from-relative-plugin']);
    } finally {
      await server.close();
    }
  });

  it('shows what a failing plugin said, with tokens and passwords redacted', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kwb-cred-'));
    const plugin = join(dir, 'fail.sh');
    const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJrd2IifQ.c2lnbmF0dXJlLWJ5dGVz';
    writeFileSync(
      plugin,
      `#!/bin/sh\necho "refresh failed: old token ${jwt}; password=hunter2-secret; Bearer abcdef0123456789 (run kwb-login)" >&2\nexit 1\n`,
    );
    chmodSync(plugin, 0o755);
    const file = kubeconfig(dir, 'http://127.0.0.1:9', exec(plugin));
    await assert.rejects(clientFor(file).request('/version'), (err: Error) => {
      assert.match(err.message, /refresh failed/);
      assert.match(err.message, /run kwb-login/);
      for (const secret of [jwt, 'hunter2-secret', 'abcdef0123456789'])
        assert.ok(!err.message.includes(secret), secret);
      return true;
    });
    assert.equal(redactSecrets('api_key: "abc123xyz"'), 'api_key: [redacted]');
  });

  it('says a client certificate expired (or is not valid yet) with its date, and sends nothing', async () => {
    const certs = resolve('test/fixtures/certs');
    const server = await scriptedServer((_req, _url, res) => res.end('{}'));
    try {
      for (const [name, expected] of [
        ['expired', /client certificate of context "ctx" expired on 2021-01-01/],
        ['not-yet-valid', /client certificate of context "ctx" is not valid before 2099-01-01/],
      ] as const) {
        const dir = mkdtempSync(join(tmpdir(), 'kwb-cred-'));
        const file = kubeconfig(
          dir,
          server.url,
          `      client-certificate: ${join(certs, `${name}.crt`)}\n      client-key: ${join(certs, `${name}.key`)}\n`,
        );
        await assert.rejects(clientFor(file).request('/version'), expected);
      }
      assert.deepEqual(server.requests, [], 'nothing was sent');
    } finally {
      await server.close();
    }
  });
  it('uses the new client certificate when the exec plugin hands out another one', async () => {
    const certs = resolve('test/fixtures/certs');
    const dir = mkdtempSync(join(tmpdir(), 'kwb-cred-'));
    // Each run hands out the next certificate, valid for one second: the second request must run it again.
    const plugin = join(dir, 'rotate.sh');
    const pem = (name: string): string => JSON.stringify(readFileSync(join(certs, name), 'utf8'));
    writeFileSync(join(dir, 'a.json'), credential(pem('client-a.crt'), pem('client-a.key')));
    writeFileSync(join(dir, 'b.json'), credential(pem('client-b.crt'), pem('client-b.key')));
    writeFileSync(
      plugin,
      '#!/bin/sh\ncd "$(dirname "$0")"\nnext=a.json; [ -f ran ] && next=b.json; touch ran\n' +
        'sed "s/EXPIRES/$(date -u -d "+1 second" +%Y-%m-%dT%H:%M:%SZ)/" "$next"\n',
    );
    chmodSync(plugin, 0o755);
    const subjects: string[] = [];
    const server = https.createServer(
      {
        cert: readFileSync(join(certs, 'client-a.crt')),
        key: readFileSync(join(certs, 'client-a.key')),
        requestCert: true,
        rejectUnauthorized: false,
      },
      (req, res) => {
        subjects.push(String((req.socket as TLSSocket).getPeerCertificate().subject?.CN ?? 'none'));
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end('{}');
      },
    );
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const { port } = server.address() as AddressInfo;
      const file = kubeconfig(dir, `https://127.0.0.1:${port}`, exec(plugin));
      const client = clientFor(file);
      await client.request('/version');
      await new Promise((r) => setTimeout(r, 1_500));
      await client.request('/version');
      assert.deepEqual(subjects, ['client-a', 'client-b']);
      client.dispose();
    } finally {
      server.close();
    }
  });
});
