// The real language server (our bundle's entry, run from source through tsx) over LSP: a document nested
// thousands of levels deep, open first, must not take the server down, and the next file still gets its problems.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import {
  createMessageConnection,
  StreamMessageReader,
  StreamMessageWriter,
  type MessageConnection,
} from 'vscode-jsonrpc/node';
import type { PublishDiagnosticsParams } from 'vscode-languageserver-protocol';

const DEEP_BLOCK =
  'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: deep\ndata:\n' +
  Array.from({ length: 3000 }, (_, i) => `${' '.repeat(i + 2)}a:`).join('\n') +
  ' 1\n';
const DEEP_FLOW = `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: flow\ndata: ${'['.repeat(50_000)}${']'.repeat(50_000)}\n`;
// A duplicate key: a problem the server reports without any schema.
const BAD = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: bad\n  name: twice\n';

describe('the language server and deeply nested YAML', () => {
  it('stays up with 3,000 block levels and 50,000 flow levels open, and still reports the next file', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', resolve('src/server/yamlServer.ts'), '--stdio'], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr = (stderr + c.toString('utf8')).slice(-4000)));
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    const c: MessageConnection = createMessageConnection(
      new StreamMessageReader(child.stdout),
      new StreamMessageWriter(child.stdin),
    );
    const published: PublishDiagnosticsParams[] = [];
    c.onRequest('workspace/configuration', (p: { items: { section?: string }[] }) =>
      p.items.map((i) => (i.section === 'yaml' ? { validate: true, format: { enable: false } } : null)),
    );
    c.onRequest(() => null);
    c.onNotification('textDocument/publishDiagnostics', (p: PublishDiagnosticsParams) => published.push(p));
    c.onNotification(() => undefined);
    c.listen();
    try {
      await c.sendRequest('initialize', {
        processId: process.pid,
        rootUri: null,
        workspaceFolders: null,
        initializationOptions: { l10nPath: resolve('node_modules/yaml-language-server/l10n') },
        capabilities: {
          workspace: { configuration: true },
          textDocument: {
            publishDiagnostics: {},
            foldingRange: { lineFoldingOnly: true },
            documentSymbol: { hierarchicalDocumentSymbolSupport: true },
          },
        },
      });
      await c.sendNotification('initialized', {});
      const open = (name: string, text: string) =>
        c.sendNotification('textDocument/didOpen', {
          textDocument: { uri: `file:///tmp/${name}`, languageId: 'yaml', version: 1, text },
        });
      await open('deep-block.yaml', DEEP_BLOCK);
      await open('deep-flow.yaml', DEEP_FLOW);
      // Folding and symbols walk the tree too: ask for them, as VS Code does.
      for (const name of ['deep-block.yaml', 'deep-flow.yaml']) {
        await c.sendRequest('textDocument/foldingRange', { textDocument: { uri: `file:///tmp/${name}` } });
        await c.sendRequest('textDocument/documentSymbol', { textDocument: { uri: `file:///tmp/${name}` } });
      }
      await open('bad.yaml', BAD);
      const deadline = Date.now() + 30_000;
      let bad: PublishDiagnosticsParams | undefined;
      while (!bad && Date.now() < deadline && child.exitCode === null) {
        bad = published.find((p) => p.uri.endsWith('/bad.yaml') && p.diagnostics.length > 0);
        if (!bad) await new Promise((r) => setTimeout(r, 100));
      }
      assert.equal(child.exitCode, null, `the server exited: ${stderr}`);
      assert.ok(bad, `no diagnostics for bad.yaml; server stderr: ${stderr}`);
      assert.match(bad.diagnostics.map((d) => d.message).join('\n'), /duplicate|unique/i);
      // The deep files are not walked at all (the extension host tells the user why): no stack overflow anywhere.
      const overflow = published.flatMap((p) => p.diagnostics).filter((d) => /call stack/i.test(d.message));
      assert.deepEqual(overflow, [], 'a walk of a deep tree overflowed the stack');
    } finally {
      c.dispose();
      child.kill();
      await exited;
    }
  });
});
