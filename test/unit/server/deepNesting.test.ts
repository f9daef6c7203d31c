// The real language server over LSP: a document nested thousands of levels deep, open first, must not take the
// server down, and the next file still gets its problems.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startLspServer } from './lspServer';

const DEEP_BLOCK =
  'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: deep\ndata:\n' +
  Array.from({ length: 3000 }, (_, i) => `${' '.repeat(i + 2)}a:`).join('\n') +
  ' 1\n';
const DEEP_FLOW = `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: flow\ndata: ${'['.repeat(50_000)}${']'.repeat(50_000)}\n`;
// A duplicate key: a problem the server reports without any schema.
const BAD = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: bad\n  name: twice\n';

describe('the language server and deeply nested YAML', () => {
  it('stays up with 3,000 block levels and 50,000 flow levels open, and still reports the next file', async () => {
    const server = await startLspServer();
    try {
      await server.open('deep-block.yaml', DEEP_BLOCK);
      await server.open('deep-flow.yaml', DEEP_FLOW);
      // Folding and symbols walk the tree too: ask for them, as VS Code does.
      for (const name of ['deep-block.yaml', 'deep-flow.yaml']) {
        const textDocument = { uri: `file:///tmp/${name}` };
        await server.connection.sendRequest('textDocument/foldingRange', { textDocument });
        await server.connection.sendRequest('textDocument/documentSymbol', { textDocument });
      }
      await server.open('bad.yaml', BAD);
      const bad = await server.diagnosticsOf('bad.yaml', (p) => p.diagnostics.length > 0);
      assert.equal(server.child.exitCode, null, `the server exited: ${server.stderr()}`);
      assert.ok(bad, `no diagnostics for bad.yaml; server stderr: ${server.stderr()}`);
      assert.match(bad.diagnostics.map((d) => d.message).join('\n'), /duplicate|unique/i);
      // The deep files are not walked at all (the extension host tells the user why): no stack overflow anywhere.
      const overflow = server.published.flatMap((p) => p.diagnostics).filter((d) => /call stack/i.test(d.message));
      assert.deepEqual(overflow, [], 'a walk of a deep tree overflowed the stack');
    } finally {
      await server.stop();
    }
  });
});
