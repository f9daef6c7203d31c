// Validation latency of the manifest editor: the real yaml-language-server bundle the extension ships
// (dist/yamlServer.js), as a child process speaking LSP, fed schemas the way ManifestEditor feeds them (the
// custom/schema/request and custom/schema/content handlers, answered by the same core code from the cluster's own
// /openapi/v3 or the bundled schema). Called from bench/run.ts.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { gunzipSync } from 'node:zlib';
import {
  createMessageConnection,
  StreamMessageReader,
  StreamMessageWriter,
  type MessageConnection,
} from 'vscode-jsonrpc/node';
import type { Diagnostic, PublishDiagnosticsParams } from 'vscode-languageserver-protocol';
import { parseAllDocuments } from 'yaml';
import { ClusterClient } from '../src/core/kube/clusterClient';
import { ADMIT_EVERYTHING } from '../src/core/kube/changeGuard';
import { loadKubeconfig } from '../src/core/kube/kubeconfig';
import { IncrementalAnalyzer, type FileInfo } from '../src/core/yaml/manifestDetection';
import {
  ClusterSchemas,
  SchemaDocuments,
  schemaSequenceFor,
  yamlServerSettings,
  type BundledSchemas,
} from '../src/core/yaml/schemaSources';
import { median, percentile, type BenchRecord } from './lib';

const SIZES_KB = (process.env.KWB_BENCH_SIZES ?? '1,100,1000').split(',').map(Number);
const EDITS = Number(process.env.KWB_BENCH_EDITS ?? 25);
const OPENS = Number(process.env.KWB_BENCH_OPENS ?? 7);

/** Where schemas come from: a cluster (through ClusterSchemas and its disk cache) or only the bundled file. */
interface SchemaSource {
  cluster?: ClusterSchemas;
  clusterProblem?: string;
  bundled: () => BundledSchemas | undefined;
}

function deployment(i: number, bad: string | undefined): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web-${i}
  labels:
    app: web-${i}
spec:
  replicas: 2
  selector:
    matchLabels:
      app: web-${i}
  template:
    metadata:
      labels:
        app: web-${i}
    spec:
      containers:
        - name: web
          image: nginx:1.27
${bad ? `          ${bad}: Always\n` : ''}          ports:
            - containerPort: 8080
          resources:
            limits:
              cpu: 500m
              memory: 128Mi
`;
}

const configMap = (i: number): string =>
  `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: config-${i}\ndata:\n  index: "${i}"\n  text: ${'x'.repeat(120)}\n`;

const service = (i: number): string =>
  `apiVersion: v1\nkind: Service\nmetadata:\n  name: web-${i}\nspec:\n  selector:\n    app: web-${i}\n  ports:\n    - port: 80\n      targetPort: 8080\n`;

/** About `kb` KB of Deployments, ConfigMaps and Services; the first Deployment has one wrong field, `bogusNNNN`. */
function manifest(kb: number): string {
  const docs = [deployment(0, 'bogus0000')];
  let size = docs[0]!.length;
  for (let i = 1; size < kb * 1024; i++) {
    const doc = i % 3 === 0 ? service(i) : i % 3 === 1 ? configMap(i) : deployment(i, undefined);
    docs.push(doc);
    size += doc.length + 4;
  }
  return docs.join('---\n');
}

/** The LSP side of the extension, without VS Code: what ManifestEditor and the language client do. */
class Client {
  readonly connection: MessageConnection;
  private readonly texts = new Map<
    string,
    { version: number; text: string; info?: FileInfo; answer?: Promise<string | undefined> }
  >();
  private readonly schemaDocs = new SchemaDocuments();
  private readonly waiters = new Set<(p: PublishDiagnosticsParams) => void>();
  /** Time spent answering schema requests (work the extension host does per validation). */
  schemaAnswerMs: number[] = [];

  private constructor(
    readonly child: ChildProcess,
    private readonly schemas: SchemaSource,
  ) {
    this.connection = createMessageConnection(
      new StreamMessageReader(child.stdout!),
      new StreamMessageWriter(child.stdin!),
    );
    const c = this.connection;
    c.onRequest('workspace/configuration', (params: { items: { section?: string }[] }) =>
      params.items.map((item) => (item.section === 'yaml' ? yamlServerSettings() : null)),
    );
    c.onRequest('custom/schema/request', (resource: string) => this.schemaFor(resource));
    c.onRequest('custom/schema/content', (uri: string) => {
      const text = this.schemaDocs.content(uri);
      if (text === undefined) throw new Error(`unknown schema ${uri}`);
      return text;
    });
    // client/registerCapability, window/workDoneProgress/create, ...: accepted, as the language client does.
    c.onRequest(() => null);
    c.onNotification('textDocument/publishDiagnostics', (p: PublishDiagnosticsParams) => {
      for (const w of [...this.waiters]) w(p);
    });
    c.onNotification(() => undefined);
    c.listen();
  }

  /**
   * Starts the server. With `first`, the manifest whose opening starts it: ManifestEditor finds its schemas while
   * the server process starts, and so does this.
   */
  static async start(
    serverModule: string,
    l10nPath: string,
    schemas: SchemaSource,
    first?: { uri: string; text: string },
  ): Promise<Client> {
    const nodeArgs = process.env.KWB_BENCH_SERVER_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
    const child = spawn(process.execPath, [...nodeArgs, serverModule, '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'] });
    if (process.env.KWB_BENCH_DEBUG) child.stderr?.pipe(process.stderr);
    else child.stderr?.resume();
    const client = new Client(child, schemas);
    if (first) {
      client.texts.set(first.uri, { version: 1, text: first.text });
      client.schemaFor(first.uri).catch(() => undefined);
    }
    await client.connection.sendRequest('initialize', {
      processId: process.pid,
      rootUri: null,
      workspaceFolders: null,
      initializationOptions: { l10nPath },
      capabilities: {
        workspace: { configuration: true, didChangeConfiguration: { dynamicRegistration: true } },
        textDocument: {
          synchronization: { dynamicRegistration: true, didSave: true },
          publishDiagnostics: { relatedInformation: true },
          documentSymbol: { hierarchicalDocumentSymbolSupport: true },
          foldingRange: { lineFoldingOnly: true },
        },
      },
    });
    await client.connection.sendNotification('initialized', {});
    await client.connection.sendNotification('yaml/registerCustomSchemaRequest');
    return client;
  }

  /** What ManifestEditor.schemaFor does: the analysis and the schema sequence, both kept per version. */
  private async schemaFor(resource: string): Promise<string | undefined> {
    const entry = this.texts.get(resource);
    if (!entry) return undefined;
    const t0 = performance.now();
    entry.answer ??= schemaSequenceFor(this.analysisOf(resource, entry), this.schemaDocs, {
      cluster: this.schemas.cluster,
      clusterProblem: this.schemas.clusterProblem,
      bundled: this.schemas.bundled,
    }).then((r) => r.uri);
    const uri = await entry.answer;
    this.schemaAnswerMs.push(performance.now() - t0);
    return uri;
  }

  /** One analyzer per document, as ManifestEditor keeps: an edit re-parses only the documents it changed. */
  private readonly analyzers = new Map<string, IncrementalAnalyzer>();

  private analysisOf(uri: string, entry: { text: string; info?: FileInfo }): FileInfo {
    let analyzer = this.analyzers.get(uri);
    if (!analyzer) this.analyzers.set(uri, (analyzer = new IncrementalAnalyzer()));
    entry.info ??= analyzer.analyze(entry.text);
    return entry.info;
  }

  /** The extension host's work when a document changes: the manifest check and analysis (ManifestEditor). */
  extensionHostWork(uri: string): number {
    const entry = this.texts.get(uri)!;
    const t0 = performance.now();
    this.analysisOf(uri, entry);
    return performance.now() - t0;
  }

  /** Resolves with the next diagnostics for `uri` that satisfy `ok`. */
  diagnostics(uri: string, ok: (d: Diagnostic[]) => boolean, timeoutMs = 60_000): Promise<Diagnostic[]> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(new Error(`no matching diagnostics for ${uri} within ${timeoutMs} ms`));
      }, timeoutMs);
      const waiter = (p: PublishDiagnosticsParams): void => {
        if (p.uri !== uri || !ok(p.diagnostics)) return;
        clearTimeout(timer);
        this.waiters.delete(waiter);
        resolve(p.diagnostics);
      };
      this.waiters.add(waiter);
    });
  }

  async open(uri: string, text: string): Promise<void> {
    if (this.texts.get(uri)?.text !== text) this.texts.set(uri, { version: 1, text });
    await this.connection.sendNotification('textDocument/didOpen', {
      textDocument: { uri, languageId: 'yaml', version: 1, text },
    });
  }

  /** An incremental change, as VS Code sends it: replace [start, end) of the text. */
  async change(uri: string, start: number, end: number, insert: string): Promise<void> {
    const entry = this.texts.get(uri)!;
    const before = entry.text.slice(0, start);
    const newText = before + insert + entry.text.slice(end);
    const pos = (offset: number): { line: number; character: number } => {
      const head = entry.text.slice(0, offset);
      const line = head.split('\n').length - 1;
      return { line, character: offset - (head.lastIndexOf('\n') + 1) };
    };
    const range = { start: pos(start), end: pos(end) };
    entry.version++;
    entry.text = newText;
    entry.info = undefined;
    entry.answer = undefined;
    await this.connection.sendNotification('textDocument/didChange', {
      textDocument: { uri, version: entry.version },
      contentChanges: [{ range, text: insert }],
    });
  }

  /** textDocument/foldingRange and textDocument/documentSymbol, as VS Code sends them; resolves with their time. */
  async editorRequests(uri: string): Promise<number> {
    const t0 = performance.now();
    await Promise.all([
      this.connection.sendRequest('textDocument/foldingRange', { textDocument: { uri } }),
      this.connection.sendRequest('textDocument/documentSymbol', { textDocument: { uri } }),
    ]);
    return performance.now() - t0;
  }

  async close(uri: string): Promise<void> {
    this.texts.delete(uri);
    await this.connection.sendNotification('textDocument/didClose', { textDocument: { uri } });
  }

  async stop(): Promise<void> {
    try {
      await Promise.race([this.connection.sendRequest('shutdown'), new Promise((r) => setTimeout(r, 5000))]);
      await this.connection.sendNotification('exit');
    } catch {
      // already gone
    }
    this.connection.dispose();
    const exited = new Promise((r) => this.child.once('exit', r));
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5000);
    if (this.child.exitCode === null && this.child.signalCode === null) await exited;
    clearTimeout(timer);
  }
}

function loadBundled(): BundledSchemas {
  return JSON.parse(
    gunzipSync(readFileSync(join('media', 'schemas', 'kubernetes.json.gz'))).toString('utf8'),
  ) as BundledSchemas;
}

function floorParse(text: string): number {
  const times: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    parseAllDocuments(text);
    times.push(performance.now() - t0);
  }
  return median(times);
}

const hasBogus = (n: string) => (d: Diagnostic[]) => d.some((x) => x.message.includes(n));

/** Edits to the wrong field's name (bogus0001, bogus0002, ...): each edit's diagnostics can be told apart. */
async function benchEdits(
  serverModule: string,
  l10nPath: string,
  schemas: SchemaSource,
  label: string,
  record: (r: BenchRecord) => void,
): Promise<void> {
  const client = await Client.start(serverModule, l10nPath, schemas);
  try {
    for (const kb of SIZES_KB) {
      const text = manifest(kb);
      const uri = `file:///bench/manifest-${kb}kb.yaml`;
      await client.open(uri, text);
      await client.diagnostics(uri, hasBogus('bogus0000'), 120_000);
      const offset = text.indexOf('bogus0000');
      const latencies: number[] = [];
      const hostWork: number[] = [];
      const editorMs: number[] = [];
      client.schemaAnswerMs = [];
      for (let i = 1; i <= EDITS; i++) {
        const name = `bogus${String(i).padStart(4, '0')}`;
        const seen = client.diagnostics(uri, hasBogus(name), 120_000);
        const t0 = performance.now();
        await client.change(uri, offset, offset + name.length, name);
        hostWork.push(client.extensionHostWork(uri));
        // What VS Code asks of the server after a change besides diagnostics (folding, outline and breadcrumbs):
        // asked at once, the worst case for the diagnostics that follow.
        const editorRequests = client.editorRequests(uri);
        const diagnostics = await seen;
        latencies.push(performance.now() - t0);
        editorMs.push(await editorRequests);
        if (diagnostics.length !== 1)
          console.warn(`  warning: ${diagnostics.length} diagnostics for ${kb} KB (expected the one wrong field)`);
        // A pause between edits, like a person between keystroke bursts (not part of the measurement).
        await new Promise((r) => setTimeout(r, 50));
      }
      await client.close(uri);
      const actualKb = Buffer.byteLength(text) / 1024;
      const docs = text.split('\n---\n').length;
      const floor = floorParse(text);
      const target = 200 + actualKb;
      record({
        name: `validation (${label}): didChange to diagnostics, p95 of ${EDITS} edits, ${actualKb.toFixed(0)} KB / ${docs} documents`,
        value: percentile(latencies, 95),
        unit: 'ms',
        floor,
        target: `< ${target.toFixed(0)} (200 + 1/KB)`,
        note: `floor: yaml parseAllDocuments of the same text; p50 ${percentile(latencies, 50).toFixed(0)} ms; includes the server's wait after an edit (50 ms, 200 ms over 200 KB: src/server/validationDelay.ts) and the folding ranges and document symbols VS Code asks for after each change (p95 ${percentile(editorMs, 95).toFixed(0)} ms to answer both)`,
      });
      record({
        name: `validation (${label}): extension host work per edit (manifest analysis), p95, ${actualKb.toFixed(0)} KB`,
        value: percentile(hostWork, 95),
        unit: 'ms',
        floor,
        target: 'report (a small share of the floor: never blocking)',
        note: `plus the schema answer per validation: p95 ${percentile(client.schemaAnswerMs, 95).toFixed(1)} ms; floor: yaml parseAllDocuments of the same text`,
      });
    }
  } finally {
    await client.stop();
  }
}

/** didOpen to the first diagnostics on a started server (and the server's start), each with a new schema state. */
async function benchFirstDiagnostic(
  serverModule: string,
  l10nPath: string,
  makeSchemas: () => SchemaSource,
  label: string,
  record: (r: BenchRecord) => void,
): Promise<void> {
  const text = manifest(1);
  const firsts: number[] = [];
  const starts: number[] = [];
  for (let i = 0; i < OPENS; i++) {
    const uri = `file:///bench/first-${i}.yaml`;
    const t0 = performance.now();
    const client = await Client.start(serverModule, l10nPath, makeSchemas(), { uri, text });
    starts.push(performance.now() - t0);
    try {
      const seen = client.diagnostics(uri, hasBogus('bogus0000'), 60_000);
      const t1 = performance.now();
      await client.open(uri, text);
      await seen;
      firsts.push(performance.now() - t1);
    } finally {
      await client.stop();
    }
  }
  record({
    name: `validation (${label}): first diagnostic after opening a 1 KB manifest, median of ${OPENS} fresh servers`,
    value: median(firsts),
    unit: 'ms',
    floor: floorParse(text),
    target: '< 150',
    note: `max ${Math.max(...firsts).toFixed(0)} ms; the server's own start (spawn to initialized) took a further ${median(starts).toFixed(0)} ms, while the extension host found the manifest's schemas (as ManifestEditor does)`,
  });
}

export async function benchValidation(kubeconfigPath: string, record: (r: BenchRecord) => void): Promise<void> {
  // The same bundle the .vsix ships, built from this tree.
  const build = spawnSync(process.execPath, ['scripts/esbuild.mjs'], { stdio: ['ignore', 'ignore', 'inherit'] });
  if (build.status !== 0) throw new Error('building dist/yamlServer.js failed');
  const serverModule = join('dist', 'yamlServer.js');
  const l10nPath = join(process.cwd(), 'dist', 'l10n');
  const cacheDir = mkdtempSync(join(tmpdir(), 'kwb-bench-schemas-'));
  const kc = loadKubeconfig([kubeconfigPath]).kubeConfigFor('kwb-admin');
  const client = new ClusterClient('kwb-admin', kc, ADMIT_EVERYTHING);
  let bundled: BundledSchemas | undefined;
  const bundledOnce = (): BundledSchemas => (bundled ??= loadBundled());
  const clusterSchemas = (): ClusterSchemas =>
    new ClusterSchemas(
      {
        context: 'kwb-admin',
        server: client.serverUrl,
        getJson: (path) => client.getJson<unknown>(path, { timeoutMs: 10_000 }, `reading ${path}`),
      },
      cacheDir,
    );
  try {
    // Fills the disk cache, as a first session with this cluster would.
    await benchEdits(
      serverModule,
      l10nPath,
      { cluster: clusterSchemas(), bundled: bundledOnce },
      'cluster schema',
      record,
    );
    await benchFirstDiagnostic(
      serverModule,
      l10nPath,
      () => ({ cluster: clusterSchemas(), bundled: bundledOnce }),
      'cluster schema, warm disk cache',
      record,
    );
    await benchFirstDiagnostic(
      serverModule,
      l10nPath,
      () => {
        let own: BundledSchemas | undefined; // read once per extension session, like ManifestEditor
        return { clusterProblem: 'offline', bundled: () => (own ??= loadBundled()) };
      },
      'offline, bundled schema',
      record,
    );
  } finally {
    client.dispose();
    rmSync(cacheDir, { recursive: true, force: true });
  }
}
