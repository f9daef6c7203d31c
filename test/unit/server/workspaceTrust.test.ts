// The real language server over LSP: in an untrusted workspace it loads no schema a file names (a modeline or a
// `$schema` key, over HTTP or from disk); in a trusted one it does. The HTTP server here is the schema host a
// workspace would name, counting what it is asked.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { startLspServer } from './lspServer';

const SCHEMA = JSON.stringify({ type: 'object', required: ['requiredByWorkspaceSchema'] });

async function schemaHost(): Promise<{ url: string; asked: string[]; close(): Promise<void> }> {
  const asked: string[] = [];
  const server = createServer((req, res) => {
    asked.push(req.url ?? '');
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(SCHEMA);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, asked, close: () => new Promise((r) => server.close(() => r())) };
}

function documents(host: string): Record<string, string> {
  const file = join(mkdtempSync(join(tmpdir(), 'kwb-trust-')), 'schema.json');
  writeFileSync(file, SCHEMA);
  return {
    'http-modeline.yaml': `# yaml-language-server: $schema=${host}/modeline.json\nname: x\n`,
    'file-modeline.yaml': `# yaml-language-server: $schema=${pathToFileURL(file).href}\nname: x\n`,
    'dollar-schema.yaml': `$schema: ${host}/dollar.json\nname: x\n`,
  };
}

describe('workspace trust in the language server', () => {
  it('untrusted: no schema a file names is fetched or read, and none of its problems appear', async () => {
    const host = await schemaHost();
    const server = await startLspServer();
    try {
      const docs = documents(host.url);
      for (const [name, text] of Object.entries(docs)) await server.open(name, text);
      // A file the server certainly validated after the others: its duplicate key is reported.
      await server.open('marker.yaml', 'a: 1\na: 2\n');
      assert.ok(await server.diagnosticsOf('marker.yaml', (p) => p.diagnostics.length > 0), server.stderr());
      await new Promise((r) => setTimeout(r, 1000));
      assert.deepEqual(host.asked, [], 'nothing was fetched');
      const fromSchemas = server.published
        .filter((p) => Object.keys(docs).some((n) => p.uri.endsWith(`/${n}`)))
        .flatMap((p) => p.diagnostics)
        .filter((d) => /requiredByWorkspaceSchema/.test(d.message));
      assert.deepEqual(fromSchemas, []);
    } finally {
      await server.stop();
      await host.close();
    }
  });

  it('trusted: the same files are validated against the schemas they name', async () => {
    const host = await schemaHost();
    const server = await startLspServer({ KWB_WORKSPACE_TRUSTED: '1' });
    try {
      for (const [name, text] of Object.entries(documents(host.url))) {
        await server.open(name, text);
        const found = await server.diagnosticsOf(name, (p) =>
          p.diagnostics.some((d) => /requiredByWorkspaceSchema/.test(d.message)),
        );
        assert.ok(found, `${name}: ${JSON.stringify(server.published.filter((p) => p.uri.endsWith(name)))}`);
      }
      // A schema may be fetched twice when two validations race before the server's cache holds it.
      assert.deepEqual([...new Set(host.asked)].sort(), ['/dollar.json', '/modeline.json']);
    } finally {
      await server.stop();
      await host.close();
    }
  });
});
