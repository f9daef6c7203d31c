import * as vscode from 'vscode';
import { toKubeError } from '../../core/kube/errors';
import type { NodeUsage } from '../../core/metrics/metricsApi';
import type { MetricsScope, MetricsService } from '../../core/metrics/metricsService';
import { scopeId } from '../../core/metrics/metricsService';
import { topNodesText, topPodsText, type TopSort } from '../../core/metrics/topTable';
import { keyId, type ResourceKey } from '../../core/resources/objectRef';
import type { SessionRegistry } from '../../core/watch/clusterSession';
import { DocumentSchemes } from '../ids';
import type { OutputLogger } from '../log';
import type { WindowState } from '../windowState';
import type { Node } from '../views/nodes';

interface TopSpec {
  readonly context: string;
  readonly scope: MetricsScope;
  readonly sort: TopSort;
}

interface OpenTop {
  readonly spec: TopSpec;
  /** The list whose rows give requests (pods) or allocatable (nodes), held while the document is open. */
  readonly key: ResourceKey;
  text: string;
  /** Whether numbers were rendered (before that, the text says what is being read, or why it cannot be). */
  rendered?: boolean;
  timer?: NodeJS.Timeout;
}

const podsKey = (namespace: string | undefined): ResourceKey => ({
  group: '',
  version: 'v1',
  plural: 'pods',
  kind: 'Pod',
  namespaced: true,
  namespace,
});
const NODES_KEY: ResourceKey = { group: '', version: 'v1', plural: 'nodes', kind: 'Node', namespaced: false };

function title(spec: TopSpec): string {
  const what =
    spec.scope.kind === 'nodes'
      ? 'nodes'
      : `pods in ${spec.scope.namespace ? `namespace ${spec.scope.namespace}` : 'all namespaces'}`;
  return `Top ${what} on ${spec.context}`;
}

/**
 * Top documents (right-click a namespace, All namespaces, Cluster, a pod or a node; or the command palette): a
 * read-only text table of CPU and memory from metrics.k8s.io, like `kubectl top`, sorted by CPU or memory and read
 * again on the metrics interval while the document is open and visible. Closing it stops the reads.
 */
export class TopDocuments implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly open = new Map<string, OpenTop>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;
  private readonly subscriptions: vscode.Disposable[];

  constructor(
    private readonly sessions: SessionRegistry,
    private readonly metrics: MetricsService,
    private readonly state: WindowState,
    private readonly log: OutputLogger,
  ) {
    this.subscriptions = [
      vscode.workspace.registerTextDocumentContentProvider(DocumentSchemes.top, this),
      vscode.workspace.onDidCloseTextDocument((doc) => this.close(doc.uri)),
      vscode.window.onDidChangeVisibleTextEditors((editors) => this.noteVisible(editors)),
      // Requests and allocatable arrive with the watched list, possibly after the first numbers.
      sessions.onDidChangeList(({ context, key }) => {
        for (const [uri, top] of this.open)
          if (top.spec.context === context && keyId(top.key) === keyId(key) && top.rendered)
            this.render(vscode.Uri.parse(uri), top);
      }),
      metrics.onDidChange(({ context, scope }) => {
        for (const [uri, top] of this.open) {
          if (top.spec.context !== context) continue;
          const same = scopeId(top.spec.scope) === scopeId(scope);
          const covers = scope.kind === 'pods' && scope.namespace === undefined && top.spec.scope.kind === 'pods';
          if (same || covers) this.render(vscode.Uri.parse(uri), top);
        }
      }),
    ];
  }

  private noteVisible(editors: readonly vscode.TextEditor[]): void {
    this.metrics.setVisible(
      'top',
      editors.some((e) => e.document.uri.scheme === DocumentSchemes.top),
    );
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    return (
      this.open.get(uri.toString())?.text ?? 'This Top document was closed; open it again from the Clusters view.\n'
    );
  }

  /** Opens (or shows again) the Top document of a tree node, `{ context, namespace?, nodes?, sort? }`, or a pick. */
  async show(arg: unknown, sortArg?: unknown): Promise<vscode.TextEditor | undefined> {
    const spec = await this.specOf(arg, sortArg);
    if (!spec) return undefined;
    const uri = this.uriOf(spec);
    if (!this.open.has(uri.toString())) await this.start(uri, spec);
    const doc = await vscode.workspace.openTextDocument(uri);
    const editor = await vscode.window.showTextDocument(doc, { preview: false });
    this.noteVisible(vscode.window.visibleTextEditors);
    return editor;
  }

  /** Sorts the active (or given) Top document by CPU or memory: the same table, sorted anew. */
  async sort(arg: unknown, by?: unknown): Promise<vscode.TextEditor | undefined> {
    const uri = arg instanceof vscode.Uri ? arg : vscode.window.activeTextEditor?.document.uri;
    const top = uri && this.open.get(uri.toString());
    if (!uri || !top) throw new Error('Open a Top document first (right-click a namespace, a pod or a node)');
    let sort: TopSort | undefined = by === 'cpu' || by === 'memory' ? by : undefined;
    if (!sort) {
      const pick = await vscode.window.showQuickPick(
        [
          { label: 'CPU', value: 'cpu' as const },
          { label: 'Memory', value: 'memory' as const },
        ],
        { title: `Sort ${title(top.spec)} by` },
      );
      if (!pick) return undefined;
      sort = pick.value;
    }
    return this.show({ context: top.spec.context, scope: top.spec.scope }, sort);
  }

  /** The current text of an open Top document (tests read it). */
  textOf(uri: vscode.Uri): string | undefined {
    return this.open.get(uri.toString())?.text;
  }

  private uriOf(spec: TopSpec): vscode.Uri {
    const where = spec.scope.kind === 'nodes' ? '_nodes' : (spec.scope.namespace ?? '_all');
    return vscode.Uri.from({
      scheme: DocumentSchemes.top,
      path: `/${encodeURIComponent(spec.context)}/${encodeURIComponent(where)}.top.txt`,
      query: `sort=${spec.sort}`,
    });
  }

  private async start(uri: vscode.Uri, spec: TopSpec): Promise<void> {
    const key = spec.scope.kind === 'nodes' ? NODES_KEY : podsKey(spec.scope.namespace);
    const top: OpenTop = { spec, key, text: `${title(spec)}\n\nReading metrics…\n` };
    this.open.set(uri.toString(), top);
    const session = this.sessions.get(spec.context);
    session.connect();
    // Requests (pods) or allocatable (nodes) come from the rows of a watched list, held while the document is open.
    session.list(key, uri.toString());
    try {
      await this.metrics.read(spec.context, spec.scope);
    } catch (err) {
      const error = toKubeError(err, `reading metrics on ${spec.context}`);
      this.log.warn('metrics', error.message);
      top.text = `${title(spec)}\n\n${error.message}\n`;
      this.changed.fire(uri);
      return;
    }
    this.metrics.hold(uri.toString(), spec.context, spec.scope);
    this.render(uri, top);
  }

  private render(uri: vscode.Uri, top: OpenTop): void {
    const { spec } = top;
    top.rendered = true;
    const session = this.sessions.get(spec.context);
    const rows = session.peek(top.key)?.items ?? [];
    const readAt = (at: number | undefined): string => new Date(at ?? Date.now()).toISOString();
    if (spec.scope.kind === 'nodes') {
      const data = this.metrics.snapshot(spec.context, spec.scope);
      const header = { title: title(spec), sort: spec.sort, readAt: readAt(data?.at) };
      const nodes = [...(data?.nodes?.values() ?? [])] as NodeUsage[];
      const allocatable = new Map(rows.map((r) => [r.name, r.allocatable]));
      top.text = topNodesText(header, nodes, (name) => allocatable.get(name));
    } else {
      const namespace = spec.scope.namespace;
      const fromAll = this.metrics.snapshot(spec.context, { kind: 'pods' });
      const own = this.metrics.snapshot(spec.context, spec.scope);
      const data = own && (!fromAll || own.at >= fromAll.at) ? own : fromAll;
      const header = { title: title(spec), sort: spec.sort, readAt: readAt(data?.at) };
      const pods = [...(data?.pods?.values() ?? [])].filter(
        (p) => namespace === undefined || p.namespace === namespace,
      );
      const requests = new Map(rows.map((r) => [`${r.namespace ?? ''}/${r.name}`, r.requests]));
      top.text = topPodsText(header, pods, (p) => requests.get(`${p.namespace}/${p.name}`), namespace === undefined);
    }
    // Bursts (several scopes read in one round) repaint once.
    top.timer ??= setTimeout(() => {
      top.timer = undefined;
      this.changed.fire(uri);
    }, 100);
  }

  private close(uri: vscode.Uri): void {
    const top = this.open.get(uri.toString());
    if (!top) return;
    clearTimeout(top.timer);
    this.metrics.release(uri.toString());
    this.sessions.peek(top.spec.context)?.release(top.key, uri.toString());
    this.open.delete(uri.toString());
    this.noteVisible(vscode.window.visibleTextEditors);
  }

  private async specOf(arg: unknown, sortArg: unknown): Promise<TopSpec | undefined> {
    const sort: TopSort = sortArg === 'memory' ? 'memory' : 'cpu';
    const node = arg as Node | undefined;
    if (node?.type === 'scope') {
      const scope: MetricsScope =
        node.scope.kind === 'cluster'
          ? { kind: 'nodes' }
          : { kind: 'pods', namespace: node.scope.kind === 'namespace' ? node.scope.namespace : undefined };
      return { context: node.context, scope, sort };
    }
    if (node?.type === 'resource') {
      const { row } = node;
      if (row.kind === 'Node') return { context: node.context, scope: { kind: 'nodes' }, sort };
      if (row.kind === 'Namespace')
        return { context: node.context, scope: { kind: 'pods', namespace: row.name }, sort };
      if (row.kind === 'Pod') return { context: node.context, scope: { kind: 'pods', namespace: row.namespace }, sort };
    }
    const plain = arg as { context?: unknown; namespace?: unknown; nodes?: unknown; scope?: MetricsScope } | undefined;
    if (typeof plain?.context === 'string') {
      const scope: MetricsScope =
        plain.scope ??
        (plain.nodes === true
          ? { kind: 'nodes' }
          : { kind: 'pods', namespace: typeof plain.namespace === 'string' ? plain.namespace : undefined });
      return { context: plain.context, scope, sort };
    }
    // The command palette: this window's context.
    const context = this.state.context;
    if (!context) throw new Error('No context: choose one with "Use Context in This Window" first');
    const namespace = this.state.namespace;
    const pick = await vscode.window.showQuickPick(
      [
        { label: `Pods in ${namespace}`, scope: { kind: 'pods', namespace } as MetricsScope },
        { label: 'Pods in all namespaces', scope: { kind: 'pods' } as MetricsScope },
        { label: 'Nodes', scope: { kind: 'nodes' } as MetricsScope },
      ],
      { title: `Top on ${context}` },
    );
    return pick && { context, scope: pick.scope, sort };
  }

  dispose(): void {
    for (const [uri, top] of this.open) {
      clearTimeout(top.timer);
      this.metrics.release(uri);
    }
    this.open.clear();
    for (const s of this.subscriptions) s.dispose();
    this.changed.dispose();
  }
}
