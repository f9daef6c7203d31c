import * as vscode from 'vscode';
import type { KubeconfigService } from '../../core/kube/kubeconfigService';
import type { ResourceKey, SessionRegistry } from '../../core/watch/clusterSession';
import { DisposableStore } from '../../core/common/disposable';
import { NodeRegistry, type FolderNode, type Node } from './nodes';
import { contextItem, toTreeItem } from './treeItems';
import type { WindowState } from '../windowState';

/**
 * Folders shown under a connected context. Cluster-wide, all-namespace lists: the grouped, discovery-driven
 * layout (Workloads, Network, Config, … and CRDs) replaces this list in the cluster explorer work.
 */
const BASE_FOLDERS: readonly { label: string; key: ResourceKey }[] = [
  {
    label: 'Namespaces',
    key: { group: '', version: 'v1', plural: 'namespaces', kind: 'Namespace', namespaced: false },
  },
  { label: 'Nodes', key: { group: '', version: 'v1', plural: 'nodes', kind: 'Node', namespaced: false } },
  {
    label: 'Deployments',
    key: { group: 'apps', version: 'v1', plural: 'deployments', kind: 'Deployment', namespaced: true },
  },
  { label: 'Pods', key: { group: '', version: 'v1', plural: 'pods', kind: 'Pod', namespaced: true } },
];

/**
 * The Clusters view. It reads the sessions' in-memory snapshots synchronously (no I/O in getChildren) and
 * refreshes only the folders that changed, in batches: a throttle, so a busy folder still updates steadily.
 */
export class ClusterTreeProvider implements vscode.TreeDataProvider<Node>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<Node | Node[] | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly nodes = new NodeRegistry();
  private readonly store = new DisposableStore();
  private readonly pending = new Set<Node>();
  private flushTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly kubeconfig: KubeconfigService,
    private readonly sessions: SessionRegistry,
    private readonly state: WindowState,
    private readonly pageSize: () => number,
    private readonly throttleMs = 250,
  ) {
    this.store.add(
      sessions.onDidChangeList(({ context, key }) => {
        const folder = this.nodes.findFolder(context, key);
        if (folder) this.schedule(folder);
      }),
    );
    this.store.add(sessions.onDidChangeConnection((context) => this.schedule(this.nodes.context(context))));
    this.store.add(state.onDidChange(() => this.refreshAll()));
    this.store.add(kubeconfig.onDidChange(() => this.refreshAll()));
  }

  refreshAll(): void {
    this.nodes.clear();
    this.pending.clear();
    this.changed.fire(undefined);
  }

  getTreeItem(node: Node): vscode.TreeItem {
    if (node.type === 'context') {
      const info = this.kubeconfig.current.contexts.find((c) => c.name === node.context);
      const state = this.sessions.get(node.context).connectionState;
      return contextItem(info, node.context, state, node.context === this.state.context);
    }
    return toTreeItem(node);
  }

  getChildren(parent?: Node): Node[] {
    if (!parent) {
      return this.kubeconfig.current.contexts.map((c) => this.nodes.context(c.name));
    }
    switch (parent.type) {
      case 'context': {
        const session = this.sessions.get(parent.context);
        session.connect();
        const connection = session.connectionState;
        if (connection.state === 'failed') return [this.nodes.message(parent.id, connection.error.message, 'error')];
        if (connection.state !== 'connected') return [this.nodes.message(parent.id, 'Connecting…', 'loading')];
        return BASE_FOLDERS.map((f) => this.nodes.folder(parent.context, f.key, f.label));
      }
      case 'folder':
        return this.folderChildren(parent);
      default:
        return [];
    }
  }

  private folderChildren(folder: FolderNode): Node[] {
    const snap = this.sessions.get(folder.context).list(folder.key);
    if (snap.state === 'idle' || snap.state === 'syncing')
      return [this.nodes.message(folder.id, 'Loading…', 'loading')];
    if (snap.state === 'failed' && snap.error) return [this.nodes.message(folder.id, snap.error.message, 'error')];
    const limit = this.pageSize();
    const shown = snap.items.slice(0, limit).map((row) => this.nodes.resource(folder, row));
    this.nodes.prune(folder, new Set(shown.map((n) => n.id)));
    const extra: Node[] = [];
    if (snap.state === 'retrying' && snap.error)
      extra.push(this.nodes.message(folder.id, `${snap.error.message} (retrying)`, 'error'));
    if (snap.items.length > limit) {
      extra.push(
        this.nodes.message(
          folder.id,
          `${snap.items.length - limit} more not shown (kubeWorkbench.tree.pageSize)`,
          'info',
        ),
      );
    }
    if (snap.items.length === 0 && extra.length === 0) extra.push(this.nodes.message(folder.id, 'None', 'info'));
    return [...extra, ...shown];
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
    this.store.dispose();
    this.changed.dispose();
  }
}
