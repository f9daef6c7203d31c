import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import * as vscode from 'vscode';
import type { LanguageClient, ResponseError, LanguageClientOptions, ServerOptions } from 'vscode-languageclient/node';
import type { KubeconfigService } from '../../core/kube/kubeconfigService';
import { type SessionRegistry } from '../../core/watch/clusterSession';
import { keyId, type ResourceKey } from '../../core/resources/objectRef';
import { IncrementalAnalyzer, kustomizationPatches, type FileInfo } from '../../core/yaml/manifestDetection';
import {
  ClusterSchemas,
  SCHEME,
  SchemaDocuments,
  schemaSequenceFor,
  yamlServerSettings,
  type BundledSchemas,
} from '../../core/yaml/schemaSources';
import type { OutputLogger } from '../log';
import type { WindowState } from '../windowState';
import { WorkspaceCrds } from './workspaceCrds';
import { Commands, DocumentSchemes } from '../ids';
import { languageClientModule } from './languageClient';

/** Which schemas to validate against: the window's context (default), a chosen context, or the bundled schema. */
export type SchemaChoice = { kind: 'window' } | { kind: 'context'; context: string } | { kind: 'bundled' };

const CHOICE_KEY = 'yaml.schemaSource';
const REDHAT_YAML = 'redhat.vscode-yaml';
const CRDS: ResourceKey = {
  group: 'apiextensions.k8s.io',
  version: 'v1',
  plural: 'customresourcedefinitions',
  kind: 'CustomResourceDefinition',
  namespaced: false,
};

/** What the status bar says about one file. */
interface FileStatus {
  label: string;
  detail: string;
}

interface RedHatYamlApi {
  registerContributor(
    schema: string,
    requestSchema: (resource: string) => string | undefined,
    requestSchemaContent: (uri: string) => string | undefined,
    label?: string,
  ): boolean;
}

/**
 * The manifest editor: recognises Kubernetes manifests among YAML files and validates them with
 * yaml-language-server (started on the first manifest), answering its schema requests from the cluster's
 * OpenAPI, workspace CRDs or the bundled schema. With Red Hat's YAML extension installed, our server is not
 * started: the same schemas are contributed through its API, so there is one set of diagnostics.
 */
export class ManifestEditor implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];
  private client: LanguageClient | undefined;
  private starting: Promise<void> | undefined;
  private redHat: 'unknown' | 'absent' | 'registered' = 'unknown';
  private readonly schemaDocs = new SchemaDocuments();
  private readonly clusters = new Map<string, ClusterSchemas>();
  /** Per context: a watch on CustomResourceDefinitions, so a changed CRD revalidates open manifests. */
  private readonly crdWatches = new Map<string, vscode.Disposable>();
  private readonly crds: WorkspaceCrds;
  private bundled: BundledSchemas | undefined | null;
  /** Files the language server has been given (manifests that are not too complex). */
  private readonly served = new Set<string>();
  private readonly analyses = new Map<
    string,
    { doc: vscode.TextDocument; version: number; info: FileInfo; skip?: string }
  >();
  /** Per open file: its documents' analyses, so an edit re-parses only the documents it touched. */
  private readonly analyzers = new Map<string, IncrementalAnalyzer>();
  private readonly status = new Map<string, FileStatus>();
  /**
   * The last schema answer per file: yaml-language-server asks once per YAML document of a file on every
   * validation, and the answer changes only with the text or the schema sources (`schemaGeneration`).
   */
  private readonly answers = new Map<
    string,
    { doc: vscode.TextDocument; version: number; generation: number; uri: Promise<string | undefined> }
  >();
  private schemaGeneration = 0;
  /** For Red Hat YAML, whose contributor API asks synchronously: the last schema URI per file. */
  private readonly prepared = new Map<string, string>();
  private readonly statusItem: vscode.StatusBarItem;
  private readonly ownDiagnostics: vscode.DiagnosticCollection;
  private readonly changed = new vscode.EventEmitter<string>();
  /** Fires with a file URI after its schema was answered (tests wait on it). */
  readonly onDidAnswer = this.changed.event;

  constructor(
    private readonly extension: vscode.ExtensionContext,
    private readonly sessions: SessionRegistry,
    private readonly kubeconfig: KubeconfigService,
    private readonly state: WindowState,
    private readonly log: OutputLogger,
  ) {
    this.crds = new WorkspaceCrds(log);
    this.statusItem = vscode.window.createStatusBarItem(
      'kubeWorkbench.schemaSource',
      vscode.StatusBarAlignment.Right,
      90,
    );
    this.statusItem.name = 'Kubernetes Schema';
    this.statusItem.command = Commands.selectSchemaSource;
    this.ownDiagnostics = vscode.languages.createDiagnosticCollection('kubernetes-manifest');
    this.disposables.push(
      this.crds,
      this.statusItem,
      this.ownDiagnostics,
      this.changed,
      vscode.workspace.onDidOpenTextDocument((d) => this.consider(d)),
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (!this.client && this.redHat !== 'registered') this.consider(e.document);
        else if (this.redHat === 'registered') this.prepareForRedHat(e.document);
        else this.updateOwnDiagnostics(e.document);
      }),
      vscode.workspace.onDidCloseTextDocument((d) => {
        const key = d.uri.toString();
        this.analyses.delete(key);
        this.analyzers.delete(key);
        this.prepared.delete(key);
        this.status.delete(key);
        this.answers.delete(key);
        this.ownDiagnostics.delete(d.uri);
      }),
      vscode.window.onDidChangeActiveTextEditor(() => this.updateStatusBar()),
      state.onDidChange(() => {
        // The kubeconfig or the window's context changed: sessions may be new, watch again when needed.
        this.stopCrdWatches();
        this.schemasChanged();
      }),
      { dispose: () => this.stopCrdWatches() },
      vscode.workspace.onDidGrantWorkspaceTrust(() => {
        this.trustGranted().catch((err: unknown) => this.log.warn('yaml', 'restarting the YAML server failed', err));
      }),
    );
    // Documents already open when the extension activated (no I/O: they are in memory).
    const timer = setTimeout(() => vscode.workspace.textDocuments.forEach((d) => this.consider(d)), 0);
    this.disposables.push({ dispose: () => clearTimeout(timer) });
  }

  /** The language server's environment: read by each start of its process. */
  private readonly serverEnv: Record<string, string | undefined> = {
    ...process.env,
    KWB_WORKSPACE_TRUSTED: vscode.workspace.isTrusted ? '1' : '0',
  };

  /**
   * The user granted trust: the server may now load schemas files name, and the window's cluster may be asked
   * for its schemas. VS Code never withdraws trust from a running window (it reloads it).
   */
  private async trustGranted(): Promise<void> {
    this.serverEnv.KWB_WORKSPACE_TRUSTED = '1';
    this.schemasChanged();
    if (this.client?.isRunning()) await this.client.restart();
  }

  get choice(): SchemaChoice {
    return this.extension.workspaceState.get<SchemaChoice>(CHOICE_KEY) ?? { kind: 'window' };
  }

  async setChoice(choice: SchemaChoice): Promise<void> {
    await this.extension.workspaceState.update(CHOICE_KEY, choice);
    this.schemasChanged();
  }

  /** The running language client (for tests), once a manifest was opened. */
  get languageClient(): LanguageClient | undefined {
    return this.client;
  }

  /** What the status bar shows for a file, e.g. "cluster kwb-admin (v1.36)". */
  statusOf(uri: vscode.Uri): FileStatus | undefined {
    return this.status.get(uri.toString());
  }

  /** Refetch cluster indexes and revalidate every open manifest (after a context or source change). */
  schemasChanged(): void {
    this.schemaGeneration++;
    for (const c of this.clusters.values()) c.refresh();
    if (this.client?.isRunning()) {
      void this.client.sendNotification(languageClientModule().DidChangeConfigurationNotification.type, {
        settings: null,
      });
    }
    if (this.redHat === 'registered') vscode.workspace.textDocuments.forEach((d) => this.prepareForRedHat(d));
  }

  // ---- which documents are manifests ----

  private analyze(doc: vscode.TextDocument): { info: FileInfo; skip?: string } {
    const key = doc.uri.toString();
    const cached = this.analyses.get(key);
    // Same object and version: an untitled URI can be reused by a new document whose version is 1 again.
    if (cached && cached.doc === doc && cached.version === doc.version) return cached;
    let analyzer = this.analyzers.get(key);
    // A reused untitled URI is a new document: nothing of the old one's analysis applies.
    if (!analyzer || cached?.doc !== doc) this.analyzers.set(key, (analyzer = new IncrementalAnalyzer()));
    let info: FileInfo;
    try {
      info = analyzer.analyze(doc.getText());
    } catch (err) {
      // Whatever a file holds, the analysis must not throw: it runs in the language client's didOpen, where a throw
      // would keep the server from starting for the whole session. Such a file is shown as not validated.
      const why = `it could not be read (${err instanceof Error ? err.message : String(err)})`;
      this.log.warn('yaml', `${doc.uri.toString(true)}: ${why}`);
      info = {
        manifest: true,
        documents: [{ index: 0, mapping: true, empty: false, range: [0, doc.getText().length], tooComplex: why }],
      };
    }
    let skip: string | undefined = info.skipped;
    if (!skip && info.manifest) skip = this.skipByLocation(doc.uri);
    if (!skip) {
      const complex = info.documents.find((d) => d.tooComplex);
      if (complex) skip = `too-complex:${complex.index}:${complex.tooComplex ?? ''}`;
    }
    const entry = { doc, version: doc.version, info, skip };
    this.analyses.set(key, entry);
    return entry;
  }

  /** Helm chart templates and kustomize patches are left alone. */
  private skipByLocation(uri: vscode.Uri): string | undefined {
    if (uri.scheme !== 'file') return undefined;
    const dir = dirname(uri.fsPath);
    try {
      for (let d = dir, i = 0; i < 8 && d !== dirname(d); d = dirname(d), i++) {
        if (basename(d) === 'templates' && existsSync(join(dirname(d), 'Chart.yaml'))) return 'helm-template';
      }
      for (const name of ['kustomization.yaml', 'kustomization.yml', 'Kustomization']) {
        const file = join(dir, name);
        if (existsSync(file) && kustomizationPatches(readFileSync(file, 'utf8'), basename(uri.fsPath)))
          return 'kustomize';
      }
    } catch {
      // unreadable: treat as a plain manifest
    }
    return undefined;
  }

  private isYaml(doc: vscode.TextDocument): boolean {
    return (
      doc.languageId === 'yaml' &&
      (doc.uri.scheme === 'file' || doc.uri.scheme === 'untitled' || doc.uri.scheme === DocumentSchemes.rendered)
    );
  }

  /** Waiting for the server's diagnostics of a document (validate()). */
  private readonly waiters = new Map<string, (diagnostics: readonly vscode.Diagnostic[]) => void>();

  /**
   * Validates a document the way the editor does (the same server, schemas and choice of cluster) and resolves
   * with the problems the server published for it: meant for rendered output (`kubeWorkbench-rendered:`, a new URI
   * per rendering), opened here. Rejects after `timeoutMs` without an answer.
   */
  async validate(uri: vscode.Uri, timeoutMs = 60_000): Promise<readonly vscode.Diagnostic[]> {
    const key = uri.toString();
    const what = uri.path.split('/').pop() ?? key;
    let settle: ((diagnostics: readonly vscode.Diagnostic[]) => void) | undefined;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const answered = new Promise<readonly vscode.Diagnostic[]>((resolve, reject) => {
      settle = resolve;
      timer = setTimeout(
        () =>
          reject(
            new Error(`the YAML language server did not validate ${what} within ${timeoutMs / 1000} s (see the log)`),
          ),
        timeoutMs,
      );
    });
    // Registered before the document is opened: the server's first answer for it is what we wait for.
    this.waiters.set(key, (diagnostics) => settle?.(diagnostics));
    let sub: vscode.Disposable | undefined;
    try {
      if (this.redHat === 'registered') {
        // Red Hat's server publishes into its own collection: take the first change for this document.
        sub = vscode.languages.onDidChangeDiagnostics((e) => {
          if (e.uris.some((u) => u.toString() === key)) settle?.(vscode.languages.getDiagnostics(uri));
        });
      }
      let doc = await vscode.workspace.openTextDocument(uri);
      if (doc.languageId !== 'yaml') doc = await vscode.languages.setTextDocumentLanguage(doc, 'yaml');
      if (!this.isYaml(doc)) throw new Error(`${what} is not a YAML document; nothing was validated`);
      const too = this.tooComplex(doc);
      if (too) throw new Error(`${what} is too complex to validate (${too}); nothing was validated`);
      if (!this.wanted(doc)) return [];
      this.consider(doc);
      return await answered;
    } finally {
      clearTimeout(timer);
      this.waiters.delete(key);
      sub?.dispose();
    }
  }

  /** Should the language server see this document? */
  private wanted(doc: vscode.TextDocument): boolean {
    // analyze() starts with the cheap manifest check, once per version.
    if (!this.isYaml(doc)) return false;
    const { info, skip } = this.analyze(doc);
    return info.manifest && !skip;
  }

  private consider(doc: vscode.TextDocument): void {
    if (!this.isYaml(doc) || doc.isClosed) return;
    this.updateOwnDiagnostics(doc);
    if (this.redHat === 'registered') {
      this.prepareForRedHat(doc);
      return;
    }
    if (this.client || this.starting) return;
    if (!this.wanted(doc) && !this.tooComplex(doc)) return;
    // The server will ask for this manifest's schemas as soon as it has it: find them (disk cache, cluster or
    // bundled file) while its process starts, rather than after.
    if (this.wanted(doc)) this.schemaFor(doc.uri.toString()).catch(() => undefined);
    this.starting = this.start().catch((err: unknown) => {
      this.starting = undefined;
      this.log.error('yaml', 'the YAML language server did not start', err);
      void vscode.window.showErrorMessage(
        `Kube Workbench: manifest validation is off because the YAML language server did not start (${err instanceof Error ? err.message : String(err)}). See the log.`,
      );
    });
  }

  private tooComplex(doc: vscode.TextDocument): string | undefined {
    if (!this.isYaml(doc)) return undefined;
    const { info, skip } = this.analyze(doc);
    if (info.skipped === 'too-large') return 'the file is larger than 2 MB';
    return skip?.startsWith('too-complex:') ? skip.split(':').slice(2).join(':') : undefined;
  }

  /** "This document is too complex" lives in our own collection: the server never sees such a file. */
  private updateOwnDiagnostics(doc: vscode.TextDocument): void {
    // A late event of a closed document (the language client delivers changes late) must not label the next
    // document that reuses its untitled URI.
    if (!this.isYaml(doc) || doc.isClosed) return;
    const why = this.tooComplex(doc);
    if (!why) {
      this.ownDiagnostics.delete(doc.uri);
      return;
    }
    const { info } = this.analyze(doc);
    const bad = info.documents.find((d) => d.tooComplex);
    const range = bad
      ? new vscode.Range(doc.positionAt(bad.range[0]), doc.positionAt(Math.min(bad.range[0] + 1, bad.range[1])))
      : new vscode.Range(0, 0, 0, 1);
    const diagnostic = new vscode.Diagnostic(
      range,
      `This document is too complex to validate (${why}). Kube Workbench does not validate, complete or explain it.`,
      vscode.DiagnosticSeverity.Warning,
    );
    diagnostic.source = 'Kube Workbench';
    this.ownDiagnostics.set(doc.uri, [diagnostic]);
  }

  // ---- starting the language server ----

  private async start(): Promise<void> {
    if (await this.useRedHat()) return;
    const { LanguageClient, TransportKind, DidCloseTextDocumentNotification, DidOpenTextDocumentNotification } =
      languageClientModule();
    const module = this.extension.asAbsolutePath(join('dist', 'yamlServer.js'));
    // The server loads schemas a file names (modelines, `$schema`) only in a trusted workspace; it reads this at
    // start, and is restarted when the user grants trust (see the constructor).
    const env = this.serverEnv;
    const serverOptions: ServerOptions = {
      run: { module, transport: TransportKind.ipc, options: { env } },
      debug: { module, transport: TransportKind.ipc, options: { env, execArgv: ['--nolazy'] } },
    };
    const send = (method: string, params: unknown): void => {
      void this.client?.sendNotification(method, params);
    };
    const clientOptions: LanguageClientOptions = {
      documentSelector: [
        { language: 'yaml', scheme: 'file' },
        { language: 'yaml', scheme: 'untitled' },
        { language: 'yaml', scheme: DocumentSchemes.rendered },
      ],
      initializationOptions: { l10nPath: this.extension.asAbsolutePath(join('dist', 'l10n')) },
      outputChannelName: 'Kube Workbench YAML',
      middleware: {
        // The server sees only manifests: other YAML files, Helm templates, kustomize patches and files too
        // complex to validate are not sent to it.
        didOpen: (doc, next) => {
          if (!this.wanted(doc)) return Promise.resolve();
          const key = doc.uri.toString();
          // A reused URI (untitled documents) whose close we withheld: let the server forget the old text.
          if (this.served.has(key)) send(DidCloseTextDocumentNotification.method, { textDocument: { uri: key } });
          this.served.add(key);
          return next(doc);
        },
        didChange: (event, next) => {
          const doc = event.document;
          const key = doc.uri.toString();
          this.updateOwnDiagnostics(doc);
          const want = this.wanted(doc);
          if (this.served.has(key)) {
            if (want) return next(event);
            this.served.delete(key);
            send(DidCloseTextDocumentNotification.method, { textDocument: { uri: key } });
            return Promise.resolve();
          }
          if (want) {
            this.served.add(key);
            send(DidOpenTextDocumentNotification.method, {
              textDocument: { uri: key, languageId: 'yaml', version: doc.version, text: doc.getText() },
            });
          }
          return Promise.resolve();
        },
        // Only documents the server has now: a late result for a closed one (an untitled name is reused by the
        // next new document) must not show on whatever is open under that URI later.
        handleDiagnostics: (uri, diagnostics, next) => {
          const served = this.served.has(uri.toString());
          if (served) this.waiters.get(uri.toString())?.(diagnostics);
          next(uri, served ? diagnostics : []);
        },
        didSave: (doc, next) => (this.served.has(doc.uri.toString()) ? next(doc) : Promise.resolve()),
        didClose: (doc, next) => {
          if (!this.served.delete(doc.uri.toString())) return Promise.resolve();
          return next(doc);
        },
        workspace: {
          // Our settings for the server, whatever `yaml.*` says (those belong to Red Hat's extension): no
          // schema store or CRD catalogue downloads, no formatter.
          configuration: async (params, token, next) => {
            const result: unknown = await next(params, token);
            if (!Array.isArray(result)) return result as ResponseError<void>;
            const values = result as unknown[];
            return params.items.map((item, i) => (item.section === 'yaml' ? yamlServerSettings() : values[i]));
          },
        },
      },
    };
    const client = new LanguageClient('kubeWorkbench.yaml', 'Kube Workbench YAML', serverOptions, clientOptions);
    client.onRequest('custom/schema/request', (resource: string) => this.schemaFor(resource));
    client.onRequest('custom/schema/content', (uri: string) => this.contentOf(uri));
    this.client = client;
    this.disposables.push({ dispose: () => void client.stop() });
    await client.start();
    await client.sendNotification('yaml/registerCustomSchemaRequest');
    this.log.info('yaml', 'YAML language server started');
    this.updateStatusBar();
  }

  private async useRedHat(): Promise<boolean> {
    const ext = vscode.extensions.getExtension<RedHatYamlApi>(REDHAT_YAML);
    if (!ext) {
      this.redHat = 'absent';
      return false;
    }
    try {
      const api = await ext.activate();
      const ok = api.registerContributor(
        SCHEME,
        (resource) => this.prepared.get(resource),
        (uri) => this.schemaDocs.content(uri),
        'Kube Workbench',
      );
      if (!ok) throw new Error('registerContributor refused the kubewb-schema scheme');
      this.redHat = 'registered';
      this.log.info('yaml', `${REDHAT_YAML} is installed: Kubernetes schemas are contributed to it, no second server`);
      vscode.workspace.textDocuments.forEach((d) => this.prepareForRedHat(d));
      return true;
    } catch (err) {
      this.log.warn('yaml', `${REDHAT_YAML} is installed but its API could not be used; starting our own server`, err);
      this.redHat = 'absent';
      return false;
    }
  }

  private prepareForRedHat(doc: vscode.TextDocument): void {
    const key = doc.uri.toString();
    if (!this.wanted(doc)) {
      this.prepared.delete(key);
      return;
    }
    void this.schemaFor(key).then((uri) => {
      if (uri) this.prepared.set(key, uri);
    });
  }

  // ---- schemas ----

  private stopCrdWatches(): void {
    for (const w of this.crdWatches.values()) w.dispose();
    this.crdWatches.clear();
  }

  /**
   * Watches the context's CRDs once its schemas are in use. A change makes the next lookup read the /openapi/v3
   * index again (its hashes change with the CRD) and revalidates open manifests. The API server republishes
   * the OpenAPI a moment after the CRD changes, so this looks again a few times.
   */
  private watchCrds(context: string): void {
    if (this.crdWatches.has(context)) return;
    let session;
    try {
      session = this.sessions.get(context);
      session.list(CRDS);
    } catch {
      return;
    }
    const watched = session;
    // When something else (the tree) already watches CRDs, the next event is a real change.
    let initialLoadSeen = watched.peek(CRDS)?.state === 'ready';
    let timers: ReturnType<typeof setTimeout>[] = [];
    const id = keyId(CRDS);
    const sub = this.sessions.onDidChangeList((e) => {
      if (e.context !== context || keyId(e.key) !== id) return;
      if (watched.peek(CRDS)?.state !== 'ready') return;
      if (!initialLoadSeen) {
        initialLoadSeen = true;
        return;
      }
      this.log.debug('yaml', `CustomResourceDefinitions changed on ${context}: refreshing schemas`);
      timers.forEach(clearTimeout);
      timers = [2_000, 8_000, 20_000].map((ms) => setTimeout(() => this.schemasChanged(), ms));
    });
    this.crdWatches.set(context, {
      dispose: () => {
        sub.dispose();
        timers.forEach(clearTimeout);
        watched.release(CRDS);
      },
    });
  }

  private contentOf(uri: string): string {
    const text = this.schemaDocs.content(uri);
    if (text === undefined) throw new Error(`unknown schema ${uri}`);
    return text;
  }

  private loadBundled(): BundledSchemas | undefined {
    if (this.bundled === undefined) {
      try {
        const file = this.extension.asAbsolutePath(join('media', 'schemas', 'kubernetes.json.gz'));
        this.bundled = JSON.parse(gunzipSync(readFileSync(file)).toString('utf8')) as BundledSchemas;
      } catch (err) {
        this.log.error('yaml', 'the bundled Kubernetes schema could not be read', err);
        this.bundled = null;
      }
    }
    return this.bundled ?? undefined;
  }

  /** The context whose schemas are used, or undefined for the bundled schema. */
  private schemaContext(): string | undefined {
    const choice = this.choice;
    if (choice.kind === 'bundled') return undefined;
    const context = choice.kind === 'context' ? choice.context : this.state.context;
    if (!context) return undefined;
    if (this.untrustedDefault(context)) return undefined;
    return this.kubeconfig.current.contexts.some((c) => c.name === context) ? context : undefined;
  }

  /**
   * In an untrusted workspace, opening a manifest contacts no cluster and runs no credential plugin on its own:
   * the window's context is used only once the user connected it (expanded it in the Clusters view) or picked a
   * cluster for schemas; until then, or until trust is granted, the bundled schema is used.
   */
  private untrustedDefault(context: string): boolean {
    if (vscode.workspace.isTrusted || this.choice.kind === 'context') return false;
    return this.sessions.peek(context)?.connectionState.state !== 'connected';
  }

  private clusterSchemas(context: string): ClusterSchemas | undefined {
    try {
      const client = this.sessions.get(context).client;
      const id = `${context}\u0000${client.serverUrl}`;
      let schemas = this.clusters.get(id);
      if (!schemas) {
        schemas = new ClusterSchemas(
          {
            context,
            server: client.serverUrl,
            // The session's client is replaced when the kubeconfig changes: look it up on every request.
            getJson: (path) =>
              this.sessions.get(context).client.getJson<unknown>(path, { timeoutMs: 10_000 }, `reading ${path}`),
          },
          join(this.extension.globalStorageUri.fsPath, 'schemas'),
        );
        this.clusters.set(id, schemas);
      }
      return schemas;
    } catch (err) {
      this.log.warn('yaml', `no schemas from context ${context}`, err);
      return undefined;
    }
  }

  /** Answers yaml-language-server's custom/schema/request: one URI whose schemaSequence has a schema per document. */
  async schemaFor(resource: string): Promise<string | undefined> {
    const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === resource);
    if (!doc || !this.wanted(doc)) return undefined;
    const last = this.answers.get(resource);
    if (last?.doc === doc && last.version === doc.version && last.generation === this.schemaGeneration) return last.uri;
    const uri = this.answerSchema(resource, doc);
    this.answers.set(resource, { doc, version: doc.version, generation: this.schemaGeneration, uri });
    uri.catch(() => this.answers.delete(resource));
    return uri;
  }

  private async answerSchema(resource: string, doc: vscode.TextDocument): Promise<string | undefined> {
    const { info } = this.analyze(doc);
    const context = this.schemaContext();
    const cluster = context ? this.clusterSchemas(context) : undefined;
    const clusterProblem =
      this.choice.kind === 'bundled'
        ? 'bundled schema selected'
        : context
          ? undefined
          : !vscode.workspace.isTrusted && this.state.context
            ? 'untrusted workspace: no cluster is asked until you pick one for schemas or trust the workspace'
            : 'no context selected';
    const { uri, lookups } = await schemaSequenceFor(info, this.schemaDocs, {
      cluster,
      clusterProblem,
      // CRD files of an untrusted workspace are not read: only the extension's and the cluster's schemas count.
      workspace: vscode.workspace.isTrusted ? () => this.crds.get() : undefined,
      bundled: () => this.loadBundled(),
    });
    if (context && cluster?.version) this.watchCrds(context);
    const found = lookups.find((l) => l.found);
    this.status.set(resource, {
      label: found?.found ? found.label : lookups.length > 0 ? 'unknown kind' : 'none',
      detail: lookups.map((l) => (l.found ? l.label : l.message)).join('\n'),
    });
    this.updateStatusBar();
    this.changed.fire(resource);
    return uri;
  }

  private updateStatusBar(): void {
    const doc = vscode.window.activeTextEditor?.document;
    const status = doc && this.isYaml(doc) ? this.status.get(doc.uri.toString()) : undefined;
    if (!doc || !status || !this.wanted(doc)) {
      this.statusItem.hide();
      return;
    }
    const short = status.label.replace(/;.*$/, '');
    this.statusItem.text = `$(symbol-namespace) K8s schema: ${short}`;
    this.statusItem.tooltip = `Kubernetes schema used for this manifest:\n${status.detail}\n\nClick to choose another cluster or the bundled schema.`;
    this.statusItem.show();
  }

  /** The quick pick behind kubeWorkbench.selectSchemaSource. */
  async pickSource(arg?: unknown): Promise<void> {
    if (typeof arg === 'string') {
      await this.setChoice(
        arg === 'bundled'
          ? { kind: 'bundled' }
          : arg === 'window'
            ? { kind: 'window' }
            : { kind: 'context', context: arg },
      );
      return;
    }
    type Item = vscode.QuickPickItem & { choice: SchemaChoice };
    const current = this.choice;
    const items: Item[] = [
      {
        label: 'Context of this window',
        description: this.state.context ?? 'none',
        detail: 'Follow the context chosen for the Clusters view',
        choice: { kind: 'window' },
      },
      ...this.kubeconfig.current.contexts.map((c) => ({
        label: c.name,
        description: c.server,
        detail: "This cluster's own schemas (built-in kinds and its CRDs)",
        choice: { kind: 'context', context: c.name } as SchemaChoice,
      })),
      {
        label: `Bundled schema${this.loadBundled() ? ` (Kubernetes ${this.loadBundled()?.version ?? ''})` : ''}`,
        detail: 'Offline: built-in kinds only, plus CRDs found in the workspace',
        choice: { kind: 'bundled' },
      },
    ];
    for (const item of items)
      if (JSON.stringify(item.choice) === JSON.stringify(current)) item.description = `${item.description ?? ''} ✓`;
    const picked = await vscode.window.showQuickPick(items, { placeHolder: 'Schemas to validate manifests against' });
    if (picked) await this.setChoice(picked.choice);
  }

  dispose(): void {
    for (const d of this.disposables.splice(0).reverse()) d.dispose();
  }
}
