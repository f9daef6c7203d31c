// The real language server (our bundle's entry, run from source through tsx) as a child process speaking LSP,
// for the unit tests of what it does with hostile input. Not a test file itself.
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import {
  createMessageConnection,
  StreamMessageReader,
  StreamMessageWriter,
  type MessageConnection,
} from 'vscode-jsonrpc/node';
import type { PublishDiagnosticsParams } from 'vscode-languageserver-protocol';

export interface LspServer {
  readonly connection: MessageConnection;
  readonly child: ChildProcess;
  readonly published: PublishDiagnosticsParams[];
  stderr(): string;
  open(name: string, text: string): Promise<void>;
  /** The first diagnostics of `name` that `accept` takes, or undefined after `timeoutMs`. */
  diagnosticsOf(
    name: string,
    accept: (p: PublishDiagnosticsParams) => boolean,
    timeoutMs?: number,
  ): Promise<PublishDiagnosticsParams | undefined>;
  stop(): Promise<void>;
}

/**
 * `setup` registers the test's own request handlers (custom/schema/request, …) before the connection listens;
 * with it, the server is also told to ask the client for schemas (as the extension does).
 */
export async function startLspServer(
  env: Record<string, string> = {},
  setup?: (connection: MessageConnection) => void,
): Promise<LspServer> {
  const child = spawn(process.execPath, ['--import', 'tsx', resolve('src/server/yamlServer.ts'), '--stdio'], {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, KWB_WORKSPACE_TRUSTED: '', ...env },
  });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr = (stderr + c.toString('utf8')).slice(-4000)));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const connection = createMessageConnection(
    new StreamMessageReader(child.stdout),
    new StreamMessageWriter(child.stdin),
  );
  const published: PublishDiagnosticsParams[] = [];
  connection.onRequest('workspace/configuration', (p: { items: { section?: string }[] }) =>
    p.items.map((i) => (i.section === 'yaml' ? { validate: true, format: { enable: false } } : null)),
  );
  setup?.(connection);
  connection.onRequest(() => null);
  connection.onNotification('textDocument/publishDiagnostics', (p: PublishDiagnosticsParams) => published.push(p));
  connection.onNotification(() => undefined);
  connection.listen();
  await connection.sendRequest('initialize', {
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
  await connection.sendNotification('initialized', {});
  if (setup) await connection.sendNotification('yaml/registerCustomSchemaRequest');
  return {
    connection,
    child,
    published,
    stderr: () => stderr,
    open: (name, text) =>
      connection.sendNotification('textDocument/didOpen', {
        textDocument: { uri: `file:///tmp/${name}`, languageId: 'yaml', version: 1, text },
      }),
    async diagnosticsOf(name, accept, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = published.find((p) => p.uri.endsWith(`/${name}`) && accept(p));
        if (found || Date.now() > deadline || child.exitCode !== null) return found;
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async stop() {
      connection.dispose();
      child.kill();
      await exited;
    },
  };
}
