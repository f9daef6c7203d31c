import * as vscode from 'vscode';
import type { KubeconfigService } from '../../core/kube/kubeconfigService';
import type { ApiResource } from '../../core/kube/discovery';
import { type SessionRegistry } from '../../core/watch/clusterSession';
import { keyId, type ResourceKey } from '../../core/resources/objectRef';
import { DisposableStore } from '../../core/common/disposable';
import type { ListSnapshot } from '../../core/watch/watchedList';
import { Emitter } from '../../core/common/event';
import { catalogEntry, NAMESPACED_CATEGORIES, type Category } from '../../core/resources/catalog';
import { compileRowFilter, selects, type ResourceRow, type RowFilter } from '../../core/resources/rows';
import {
  NodeRegistry,
  type HelmFolderNode,
  type HelmReleaseNode,
  type CategoryNode,
  type ContextNode,
  type FolderNode,
  type Node,
  type ResourceNode,
  type ScopeNode,
} from './nodes';
import { contextItem, helmReleaseItem, scopeItem, toTreeItem, type Capabilities } from './treeItems';
import type { ContextPolicy } from '../../core/kube/contextPolicy';
import type { WindowState } from '../windowState';
import { kindInfo } from '../../core/resources/kinds';
import type { KubeObject } from '../../core/resources/kubeObject';
import type { Row } from '../../core/resources/rows';
import { helmRecordKeys, kindForManifestObject } from '../../core/helm/releaseTree';
import { latestReleases, toRecordRow, type HelmRecordRow } from '../../core/helm/release';
import { scopeId, type MetricsScope, type MetricsService } from '../../core/metrics/metricsService';
import {
  nodeUsageDescription,
  nodeUsageTooltip,
  podUsageDescription,
  podUsageTooltip,
} from '../../core/metrics/usageText';
import type { UsageText } from './treeItems';

/** Under "Cluster", kinds are listed by category in this order. */
const CATEGORY_ORDER: readonly Category[] = ['Cluster', ...NAMESPACED_CATEGORIES];

const NAMESPACES: ResourceKey = {
  group: '',
  version: 'v1',
  plural: 'namespaces',
  kind: 'Namespace',
  namespaced: false,
};

/**
 * The Clusters view: contexts → Cluster / All namespaces / each namespace → categories → kinds → objects,
 * with workloads expanding to what they own. It reads the sessions' in-memory snapshots synchronously (no I/O
 * in getChildren) and refreshes only what changed, in batches: a throttle, so a busy folder still updates.
 */
export class ClusterTreeProvider implements vscode.TreeDataProvider<Node>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<Node | Node[] | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly nodes = new NodeRegistry();
  private readonly store = new DisposableStore();
  private readonly pending = new Set<Node>();
  private flushTimer: NodeJS.Timeout | undefined;
  /** Nodes whose children are computed from a list (folders, owners): refreshed when that list changes. */
  private readonly dependents = new Map<string, Set<Node>>();
  /** Node id → the lists it holds (see hold()). */
  private readonly held = new Map<string, { context: string; key: ResourceKey }[]>();
  private readonly filters = new Map<string, string>();
  /** Folder filters compiled once (a folder may hold 50,000 rows, refreshed every 250 ms under churn). */
  private readonly compiledFilters = new Map<string, RowFilter>();
  private readonly filteredRows = new Map<
    string,
    { items: readonly ResourceRow[]; filter: RowFilter; result: readonly ResourceRow[] }
  >();
  private readonly pageLimits = new Map<string, number>();
  private readonly rootListed = this.store.add(new Emitter<{ requestedAt: number; contexts: number }>());
  /** Fires each time the root's items are handed to VS Code: when VS Code asked (performance.now()), how many. */
  readonly onDidListContexts = this.rootListed.event;

  constructor(
    private readonly kubeconfig: KubeconfigService,
    private readonly sessions: SessionRegistry,
    private readonly state: WindowState,
    private readonly pageSize: () => number,
    private readonly policy: (context: string) => ContextPolicy = () => 'normal',
    private readonly throttleMs = 250,
    private readonly metrics?: MetricsService,
  ) {
    if (metrics) {
      // New numbers repaint the folders (and expanded objects) that show the pods or nodes of that scope.
      this.store.add(
        metrics.onDidChange(({ context, scope }) => {
          this.paintGeneration++;
          const prefix = `${context}|${scope.kind === 'nodes' ? 'nodes' : 'pods/'}`;
          for (const [id, nodes] of this.metricsDependents)
            if (id.startsWith(prefix)) for (const n of nodes) this.schedule(n);
        }),
      );
      // Found absent (or refused): the context says so once, in one line.
      this.store.add(
        metrics.onDidChangeAvailability((context) => {
          if (metrics.availability(context).state === 'absent') this.schedule(this.nodes.context(context));
        }),
      );
    }
    this.store.add(
      sessions.onDidChangeList(({ context, key }) => {
        for (const node of this.dependents.get(`${context}|${keyId(key)}`) ?? []) this.schedule(node);
      }),
    );
    this.store.add(sessions.onDidChangeConnection((context) => this.schedule(this.nodes.context(context))));
    // Permission answers change which actions items offer: repaint (not rebuild) the tree, throttled.
    this.store.add(sessions.onDidChangeAccess(() => this.scheduleRepaint()));
    // Also fires when the kubeconfig changes (WindowState derives from it): one rebuild, not two.
    this.store.add(state.onDidChange(() => this.refreshAll()));
  }

  refreshAll(): void {
    this.paintGeneration++;
    this.nodes.clear();
    this.dependents.clear();
    this.metricsDependents.clear();
    // What the rebuilt tree shows holds its metrics again as VS Code asks for the expanded nodes' children.
    const held = this.metricsHolders;
    this.metrics?.releaseWhere((holder) => held.has(holder));
    held.clear();
    this.pending.clear();
    this.changed.fire(undefined);
  }

  /** Attach to the TreeView: collapsed folders release their watches after a grace period. */
  attach(view: vscode.TreeView<Node>): vscode.Disposable {
    this.metrics?.setVisible('tree', view.visible);
    const collapse = view.onDidCollapseElement(({ element }) => this.releaseHeldBy(element));
    // Metrics are read only while the view is visible.
    const visibility = view.onDidChangeVisibility(({ visible }) => this.metrics?.setVisible('tree', visible));
    return {
      dispose: () => {
        collapse.dispose();
        visibility.dispose();
      },
    };
  }

  /** Nodes that show the usage of a metrics scope (`context|scope id`): repainted when it is read again. */
  private readonly metricsDependents = new Map<string, Set<Node>>();

  /** A node shows pods or nodes: their usage is read while it is expanded (and the view visible). */
  private readonly metricsHolders = new Set<string>();

  private holdMetrics(node: Node, context: string, scope: MetricsScope): void {
    if (!this.metrics) return;
    this.metrics.hold(node.id, context, scope);
    this.metricsHolders.add(node.id);
    const id = `${context}|${scopeId(scope)}`;
    let set = this.metricsDependents.get(id);
    if (!set) this.metricsDependents.set(id, (set = new Set()));
    set.add(node);
  }

  /** CPU and memory of a pod or node item, when metrics have been read. */
  private usageOf(node: ResourceNode): UsageText | undefined {
    const { row } = node;
    if (!this.metrics) return undefined;
    if (row.kind === 'Pod' && row.namespace) {
      const usage = this.metrics.podUsage(node.context, row.namespace, row.name);
      return (
        usage && { description: podUsageDescription(usage), tooltip: podUsageTooltip(usage, row.requests, row.limits) }
      );
    }
    if (row.kind === 'Node') {
      const usage = this.metrics.nodeUsage(node.context, row.name);
      return (
        usage && {
          description: nodeUsageDescription(usage, row.allocatable),
          tooltip: nodeUsageTooltip(usage, row.allocatable),
        }
      );
    }
    return undefined;
  }

  /**
   * What a collapsed node and the nodes under it were showing is no longer shown by them: release those lists
   * (each stops after the session's grace period unless another expanded node still holds it). Resource node ids
   * nest their parent's (`res:<parent id>:<uid>`), so the nodes under it are found by id.
   */
  private releaseHeldBy(collapsed: Node): void {
    const nested = `${collapsed.id}:`;
    this.metrics?.releaseWhere((holder) => holder === collapsed.id || holder.includes(nested));
    for (const [holder, lists] of this.held) {
      if (holder !== collapsed.id && !holder.includes(nested)) continue;
      for (const { context, key } of lists) this.sessions.get(context).release(key, holder);
      this.held.delete(holder);
    }
  }

  /** A node shows a list: it is watched (and kept) until that node is collapsed; its changes refresh the node. */
  private hold(node: Node, context: string, key: ResourceKey): ListSnapshot<ResourceRow> {
    this.noteHeld(node, context, key);
    return this.sessions.get(context).list(key, node.id);
  }

  /** hold() for a list of rows of another model (Helm's release records). */
  private holdProjected<R extends Row>(
    node: Node,
    context: string,
    key: ResourceKey,
    project: (obj: KubeObject) => R | undefined,
  ): ListSnapshot<R> {
    this.noteHeld(node, context, key);
    return this.sessions.get(context).projectedList(key, project, node.id);
  }

  private noteHeld(node: Node, context: string, key: ResourceKey): void {
    this.depend(node, context, key);
    let lists = this.held.get(node.id);
    if (!lists) this.held.set(node.id, (lists = []));
    if (!lists.some((l) => l.context === context && keyId(l.key) === keyId(key))) lists.push({ context, key });
  }

  // ----------------------------------------------------------------------------------------- filters & pages

  filterOf(node: Node): string | undefined {
    return this.filters.get(node.id);
  }

  setFilter(node: Node, filter: string | undefined): void {
    if (filter?.trim()) this.filters.set(node.id, filter.trim());
    else this.filters.delete(node.id);
    this.compiledFilters.delete(node.id);
    this.filteredRows.delete(node.id);
    this.pageLimits.delete(node.id);
    this.changed.fire(node);
  }

  showMore(folderId: string): void {
    const folder = this.nodes.byId(folderId);
    if (!folder) return;
    this.pageLimits.set(folderId, (this.pageLimits.get(folderId) ?? this.pageSize()) + this.pageSize());
    this.changed.fire(folder);
  }

  // ----------------------------------------------------------------------------------------- TreeDataProvider

  getTreeItem(node: Node): vscode.TreeItem {
    switch (node.type) {
      case 'context': {
        const info = this.kubeconfig.current.contexts.find((c) => c.name === node.context);
        const state = this.sessions.get(node.context).connectionState;
        return contextItem(info, node.context, state, node.context === this.state.context, this.filters.get(node.id));
      }
      case 'scope': {
        const isWindowNs =
          node.scope.kind === 'namespace' &&
          node.context === this.state.context &&
          node.scope.namespace === this.state.namespace;
        return scopeItem(node, isWindowNs, this.filters.get(node.id));
      }
      case 'folder': {
        // Painting a collapsed folder must not start its watch: only expanding it does.
        const snap = this.sessions.get(node.context).peek(node.key);
        return toTreeItem(node, this.filters.get(node.id), snap?.state === 'ready' ? snap.items.length : undefined);
      }
      case 'resource': {
        // VS Code asks again for every child of a refreshed folder: under a churn, a folder showing 50,000 rows
        // would build 50,000 items four times a second. A row's item is rebuilt only when its row changed or
        // something all items show did (permissions, metrics: see paintGeneration).
        const cached = this.resourceItems.get(node);
        if (cached?.row === node.row && cached.generation === this.paintGeneration) return cached.item;
        const item = toTreeItem(node, undefined, undefined, this.capabilities(node), this.usageOf(node));
        this.resourceItems.set(node, { row: node.row, generation: this.paintGeneration, item });
        return item;
      }
      case 'helmRelease':
        return helmReleaseItem(node, this.helmCapabilities(node));
      default:
        return toTreeItem(node);
    }
  }

  /**
   * What the user may do with an object: nothing that changes it on a read-only context; otherwise what RBAC
   * allows (SelfSubjectAccessReview, cached per verb, resource and namespace; unknown until answered).
   */
  private capabilities(node: ResourceNode): Capabilities {
    const can: string[] = [];
    const cannot: string[] = [];
    if (this.policy(node.context) === 'readOnly') {
      cannot.push(`Context ${node.context} is read-only (kubeWorkbench.readOnlyContexts)`);
      return { can, cannot };
    }
    const access = this.sessions.get(node.context).access;
    const base = { group: node.key.group, resource: node.key.plural, namespace: node.row.namespace };
    for (const [capability, verb] of [
      ['edit', 'update'],
      ['delete', 'delete'],
    ] as const) {
      const answer = access.peek({ ...base, verb });
      if (answer?.allowed) can.push(capability);
      else if (answer?.reason) cannot.push(`Cannot ${capability}: ${answer.reason}`);
    }
    return { can, cannot };
  }

  /**
   * What the user may do with a release: rollback and uninstall write its records (Secrets, or ConfigMaps), so
   * they are offered where RBAC allows updating those, and never on a read-only context.
   */
  private helmCapabilities(node: HelmReleaseNode): Capabilities {
    if (this.policy(node.context) === 'readOnly')
      return { can: [], cannot: [`Context ${node.context} is read-only (kubeWorkbench.readOnlyContexts)`] };
    const resource = node.summary.latest.storage === 'configmap' ? 'configmaps' : 'secrets';
    const answer = this.sessions
      .get(node.context)
      .access.peek({ group: '', resource, namespace: node.namespace, verb: 'update' });
    if (answer?.allowed) return { can: ['edit'], cannot: [] };
    return { can: [], cannot: answer?.reason ? [`Cannot roll back or uninstall: ${answer.reason}`] : [] };
  }

  /** Some answer changed how items look, not which items exist: ask VS Code to repaint, at most every throttle. */
  private scheduleRepaint(): void {
    this.paintGeneration++;
    if (this.repaintTimer) return;
    this.repaintTimer = setTimeout(() => {
      this.repaintTimer = undefined;
      this.changed.fire(undefined);
    }, this.throttleMs);
  }
  private repaintTimer: NodeJS.Timeout | undefined;
  /** Bumped whenever something every resource item shows may have changed: cached items are then rebuilt. */
  private paintGeneration = 0;
  private readonly resourceItems = new WeakMap<
    ResourceNode,
    { row: ResourceRow; generation: number; item: vscode.TreeItem }
  >();

  getParent(): undefined {
    return undefined;
  }

  getChildren(parent?: Node): Node[] {
    if (!parent) {
      const requestedAt = performance.now();
      const merged = this.kubeconfig.current;
      const contexts: Node[] = merged.contexts.map((c) => this.nodes.context(c.name));
      this.rootListed.fire({ requestedAt, contexts: contexts.length });
      if (merged.warnings.length === 0) return contexts;
      // Problems in the kubeconfig files are said once, at the top, not as a notification on every reload.
      const count = merged.warnings.length;
      const summary = `${count} kubeconfig problem${count === 1 ? '' : 's'}: ${merged.warnings[0]}`;
      return [this.nodes.message('root', summary, 'warning', merged.warnings.join('\n')), ...contexts];
    }
    switch (parent.type) {
      case 'context':
        return this.contextChildren(parent);
      case 'scope':
        return this.scopeChildren(parent);
      case 'category':
        return this.categoryChildren(parent);
      case 'folder':
        return this.folderChildren(parent);
      case 'resource':
        return this.resourceChildren(parent);
      case 'helmFolder':
        return this.helmFolderChildren(parent);
      case 'helmRelease':
        return this.helmReleaseChildren(parent);
      default:
        return [];
    }
  }

  private resources(context: string): readonly ApiResource[] | undefined {
    const connection = this.sessions.get(context).connectionState;
    return connection.state === 'connected' ? connection.resources : undefined;
  }

  private contextChildren(parent: ContextNode): Node[] {
    const session = this.sessions.get(parent.context);
    session.connect();
    const connection = session.connectionState;
    if (connection.state === 'failed') return [this.nodes.message(parent.id, connection.error.message, 'error')];
    if (connection.state !== 'connected') return [this.nodes.message(parent.id, 'Connecting…', 'loading')];

    const out: Node[] = [
      this.nodes.scope(parent.context, { kind: 'cluster' }),
      this.nodes.scope(parent.context, { kind: 'allNamespaces' }),
    ];
    // A context without metrics says so once, here; nothing polls it.
    const metrics = this.metrics?.availability(parent.context);
    // (A refusal, 403, is written to the log once instead: the context's one explanation line stays RBAC's own.)
    if (metrics?.state === 'absent') out.push(this.nodes.message(parent.id, metrics.message, 'info'));
    const snap = this.hold(parent, parent.context, NAMESPACES);
    const filter = this.filters.get(parent.id);
    let names: string[];
    if (snap.state === 'failed') {
      // Many users may list in one namespace only: offer the namespaces we know of, and say why once.
      const info = this.kubeconfig.current.contexts.find((c) => c.name === parent.context);
      names = [
        ...new Set([info?.namespace ?? 'default', parent.context === this.state.context ? this.state.namespace : '']),
      ].filter(Boolean);
      out.push(
        this.nodes.message(
          parent.id,
          `Namespaces cannot be listed${snap.error?.kind === 'forbidden' ? ' (forbidden)' : ''}: showing ${names.join(', ')} from the kubeconfig`,
          'info',
          snap.error?.message,
        ),
      );
    } else if (snap.state !== 'ready' && snap.items.length === 0) {
      out.push(this.nodes.message(parent.id, 'Loading namespaces…', 'loading'));
      names = [];
    } else {
      names = snap.items.map((row) => row.name);
    }
    for (const name of names) {
      if (filter && !name.toLowerCase().includes(filter.toLowerCase())) continue;
      out.push(this.nodes.scope(parent.context, { kind: 'namespace', namespace: name }));
    }
    return out;
  }

  private scopeChildren(parent: ScopeNode): Node[] {
    const resources = this.resources(parent.context) ?? [];
    if (parent.scope.kind === 'cluster') {
      return this.folderNodes(
        parent.context,
        resources.filter((r) => !r.namespaced),
        undefined,
        () => true,
        true,
      );
    }
    const namespace = parent.scope.kind === 'namespace' ? parent.scope.namespace : undefined;
    const present = new Set<Category>();
    for (const r of resources) {
      const entry = r.namespaced ? catalogEntry(r) : undefined;
      if (entry) present.add(entry.category);
    }
    const categories: Node[] = NAMESPACED_CATEGORIES.filter((c) => present.has(c)).map((c) =>
      this.nodes.category(parent.context, namespace, c),
    );
    return [...categories, this.nodes.helmFolder(parent.context, namespace)];
  }

  // ----------------------------------------------------------------------------------------- Helm releases

  /**
   * The latest revision of each release, from watches of helm's records (Secrets and ConfigMaps labelled
   * owner=helm); a record that cannot be decoded marks its release, not the folder.
   */
  private helmFolderChildren(folder: HelmFolderNode): Node[] {
    const lists = helmRecordKeys(folder.namespace).map(({ storage, key }) => ({
      storage,
      snap: this.holdProjected<HelmRecordRow>(folder, folder.context, key, (obj) => toRecordRow(obj, storage)),
    }));
    const secrets = lists[0]!.snap;
    if ((secrets.state === 'idle' || secrets.state === 'syncing') && secrets.items.length === 0)
      return [this.nodes.message(folder.id, 'Loading…', 'loading')];
    const out: Node[] = [];
    const problems = lists
      .filter(({ snap }) => (snap.state === 'failed' || snap.state === 'retrying') && snap.error)
      .map(({ storage, snap }) => `${storage === 'secret' ? 'Secrets' : 'ConfigMaps'}: ${snap.error!.message}`);
    if (problems.length > 0) out.push(this.nodes.message(folder.id, problems.join('; '), 'error'));
    const releases = latestReleases(lists.flatMap(({ snap }) => snap.items));
    const shown = releases.map((summary) => this.nodes.helmRelease(folder, summary));
    this.nodes.pruneReleases(folder.id, new Set(shown.map((n) => n.id)));
    out.push(...shown);
    if (shown.length === 0 && problems.length === 0) out.push(this.nodes.message(folder.id, 'No releases', 'info'));
    return out;
  }

  /** The objects of the release's manifest: the tree's own live items where it has them. */
  private helmReleaseChildren(parent: HelmReleaseNode): Node[] {
    const { latest } = parent.summary;
    if (latest.error) return [this.nodes.message(parent.id, latest.error, 'error')];
    if (latest.objects.length === 0) return [this.nodes.message(parent.id, 'The manifest names no objects', 'info')];
    const out: Node[] = [];
    const resources = this.resources(parent.context) ?? [];
    for (const object of latest.objects) {
      const kind = kindForManifestObject(object, resources);
      const namespace = kind?.namespaced ? (object.namespace ?? parent.namespace) : undefined;
      if (!kind) {
        out.push(this.nodes.helmObject(parent.id, parent.context, object, namespace, 'unknownKind'));
        continue;
      }
      const key: ResourceKey = { ...kind, namespace };
      const snap = this.hold(parent, parent.context, key);
      const row = snap.items.find((r) => r.name === object.name && (r.namespace ?? undefined) === namespace);
      if (row) out.push(this.nodes.resource(parent.id, parent.context, key, row));
      else if (snap.state === 'failed')
        out.push(this.nodes.helmObject(parent.id, parent.context, object, namespace, 'error', snap.error?.message));
      else
        out.push(
          this.nodes.helmObject(
            parent.id,
            parent.context,
            object,
            namespace,
            snap.state === 'ready' ? 'missing' : 'loading',
          ),
        );
    }
    return out;
  }

  private categoryChildren(parent: CategoryNode): Node[] {
    const resources = (this.resources(parent.context) ?? []).filter((r) => r.namespaced);
    if (parent.category === 'Custom Resources' && parent.apiGroup === undefined) {
      const groups = new Set<string>();
      for (const r of resources) if (catalogEntry(r)?.category === 'Custom Resources') groups.add(r.group);
      return [...groups]
        .sort()
        .map((g) => this.nodes.category(parent.context, parent.namespace, 'Custom Resources', g));
    }
    return this.folderNodes(
      parent.context,
      resources,
      parent.namespace,
      (r) =>
        catalogEntry(r)?.category === parent.category && (parent.apiGroup === undefined || r.group === parent.apiGroup),
      false,
    );
  }

  private folderNodes(
    context: string,
    resources: readonly ApiResource[],
    namespace: string | undefined,
    include: (r: ApiResource) => boolean,
    prefixCategory: boolean,
  ): FolderNode[] {
    return resources
      .map((r) => ({ r, entry: catalogEntry(r) }))
      .filter(({ r, entry }) => entry !== undefined && include(r))
      .sort((a, b) => {
        const byCategory = CATEGORY_ORDER.indexOf(a.entry!.category) - CATEGORY_ORDER.indexOf(b.entry!.category);
        return (
          (prefixCategory ? byCategory : 0) ||
          a.entry!.order - b.entry!.order ||
          a.entry!.label.localeCompare(b.entry!.label)
        );
      })
      .map(({ r, entry }) => {
        const key: ResourceKey = {
          group: r.group,
          version: r.version,
          plural: r.plural,
          kind: r.kind,
          namespaced: r.namespaced,
          namespace: r.namespaced ? namespace : undefined,
        };
        const label =
          entry!.category === 'Custom Resources' && prefixCategory ? `${entry!.label} (${r.group})` : entry!.label;
        return this.nodes.folder(context, key, label);
      });
  }

  private folderChildren(folder: FolderNode): Node[] {
    const snap = this.hold(folder, folder.context, folder.key);
    if (folder.key.kind === 'Pod')
      this.holdMetrics(folder, folder.context, { kind: 'pods', namespace: folder.key.namespace });
    if (folder.key.kind === 'Node') this.holdMetrics(folder, folder.context, { kind: 'nodes' });
    const loading = snap.state === 'idle' || snap.state === 'syncing';
    if (loading && snap.items.length === 0) return [this.nodes.message(folder.id, 'Loading…', 'loading')];
    if (snap.state === 'failed' && snap.error) return [this.nodes.message(folder.id, snap.error.message, 'error')];
    const filter = this.filters.get(folder.id);
    const compiled = filter ? this.compiledFilter(folder.id, filter) : undefined;
    if (compiled?.error) return [this.nodes.message(folder.id, compiled.error, 'error')];
    const items = compiled ? this.filtered(folder.id, snap.items, compiled) : snap.items;
    const retrying = snap.state === 'retrying' ? snap.error?.message : undefined;
    const rows = this.page(folder.id, folder.context, folder.key, items, retrying, filter);
    // The first pages of a big list are shown while the rest arrives.
    if (!loading) return rows;
    return [this.nodes.message(folder.id, `Loading… (${snap.items.length} so far)`, 'loading'), ...rows];
  }

  /** A folder's rows through its filter, computed once per list snapshot (snapshots are new arrays on change). */
  private filtered(id: string, items: readonly ResourceRow[], filter: RowFilter): readonly ResourceRow[] {
    const cached = this.filteredRows.get(id);
    if (cached?.items === items && cached.filter === filter) return cached.result;
    const result = items.filter(filter.matches);
    this.filteredRows.set(id, { items, filter, result });
    return result;
  }

  private compiledFilter(id: string, text: string): RowFilter {
    let compiled = this.compiledFilters.get(id);
    if (compiled?.text !== text) this.compiledFilters.set(id, (compiled = compileRowFilter(text)));
    return compiled;
  }

  /** The first page of rows, and a "show more" row: VS Code is never handed tens of thousands of siblings. */
  private page(
    parentId: string,
    context: string,
    key: ResourceKey,
    items: readonly ResourceRow[],
    retrying: string | undefined,
    filter?: string,
  ): Node[] {
    const limit = this.pageLimits.get(parentId) ?? this.pageSize();
    const page = this.nodes.nextPage();
    const count = Math.min(limit, items.length);
    const shown: Node[] = new Array<Node>(count);
    for (let i = 0; i < count; i++) shown[i] = this.nodes.resource(parentId, context, key, items[i]!, page);
    this.nodes.prune(parentId, count, page);
    const out: Node[] = [];
    if (retrying) out.push(this.nodes.message(parentId, `${retrying} (retrying)`, 'error'));
    out.push(...shown);
    if (items.length > limit) {
      out.push(this.nodes.message(parentId, `Show more (${items.length - limit} not shown)`, 'more'));
    }
    if (items.length === 0 && !retrying)
      out.push(this.nodes.message(parentId, filter ? `Nothing matches "${filter}"` : 'None', 'info'));
    return out;
  }

  private resourceChildren(parent: ResourceNode): Node[] {
    const { row } = parent;
    const namespace = row.namespace;
    const children = kindInfo(row.kind)?.children;
    const childKind = kindInfo(children?.kind);
    if (!children || !childKind) return [];
    // A Node's pods are in every namespace; the others' children are in their own.
    const key: ResourceKey = {
      group: childKind.group,
      version: childKind.version,
      plural: childKind.plural,
      kind: childKind.kind,
      namespaced: childKind.namespaced,
      namespace: children.by === 'node' ? undefined : namespace,
    };
    const match: (child: ResourceRow) => boolean =
      children.by === 'selector'
        ? (child) => selects(row.selector, child.labels)
        : children.by === 'node'
          ? (child) => child.nodeName === row.name
          : (child) => child.ownerUids?.includes(row.uid) ?? false;
    const snap = this.hold(parent, parent.context, key);
    if (key.kind === 'Pod') this.holdMetrics(parent, parent.context, { kind: 'pods', namespace: key.namespace });
    if (snap.state === 'idle' || snap.state === 'syncing')
      return [this.nodes.message(parent.id, 'Loading…', 'loading')];
    if (snap.state === 'failed' && snap.error) return [this.nodes.message(parent.id, snap.error.message, 'error')];
    const shown = snap.items.filter(match);
    if (shown.length === 0)
      return [
        this.nodes.message(parent.id, children.by === 'selector' && !row.selector ? 'No selector' : 'None', 'info'),
      ];
    return this.page(parent.id, parent.context, key, shown, undefined);
  }

  private depend(node: Node, context: string, key: ResourceKey): void {
    const id = `${context}|${keyId(key)}`;
    let set = this.dependents.get(id);
    if (!set) {
      set = new Set();
      this.dependents.set(id, set);
    }
    set.add(node);
  }

  private schedule(node: Node): void {
    this.pending.add(node);
    this.flushTimer ??= setTimeout(() => {
      this.flushTimer = undefined;
      const batch = [...this.pending];
      this.pending.clear();
      if (batch.length > 0) this.changed.fire(batch);
    }, this.throttleMs);
  }

  dispose(): void {
    clearTimeout(this.flushTimer);
    clearTimeout(this.repaintTimer);
    this.store.dispose();
    this.changed.dispose();
  }
}
