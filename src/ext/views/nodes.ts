import type { ResourceKey } from '../../core/resources/objectRef';
import { keyId } from '../../core/resources/objectRef';
import type { ResourceRow } from '../../core/resources/rows';
import type { Category } from '../../core/resources/catalog';
import type { ManifestObject, ReleaseSummary } from '../../core/helm/release';

export type Node =
  | ContextNode
  | ScopeNode
  | CategoryNode
  | FolderNode
  | ResourceNode
  | MessageNode
  | HelmFolderNode
  | HelmReleaseNode
  | HelmObjectNode;

export interface ContextNode {
  readonly type: 'context';
  readonly id: string;
  readonly context: string;
}

/** "Cluster" (cluster-scoped kinds), "All namespaces", or one namespace. */
export interface ScopeNode {
  readonly type: 'scope';
  readonly id: string;
  readonly context: string;
  readonly scope: { kind: 'cluster' } | { kind: 'allNamespaces' } | { kind: 'namespace'; namespace: string };
}

/** Workloads, Network, …; Custom Resources has one node per API group below it. */
export interface CategoryNode {
  readonly type: 'category';
  readonly id: string;
  readonly context: string;
  readonly namespace: string | undefined;
  readonly category: Category;
  readonly apiGroup?: string;
}

/** One resource type in one scope: the objects of a watched list. */
export interface FolderNode {
  readonly type: 'folder';
  readonly id: string;
  readonly context: string;
  readonly key: ResourceKey;
  readonly label: string;
}

export interface ResourceNode {
  readonly type: 'resource';
  readonly id: string;
  readonly context: string;
  readonly key: ResourceKey;
  row: ResourceRow;
}

export interface MessageNode {
  readonly type: 'message';
  readonly id: string;
  readonly text: string;
  readonly severity: 'info' | 'loading' | 'error' | 'warning' | 'more';
  readonly detail?: string;
  /** For 'more': the folder whose page grows when clicked. */
  readonly folderId?: string;
}

/** "Helm Releases" of a namespace (or of all namespaces): the latest revision of each release. */
export interface HelmFolderNode {
  readonly type: 'helmFolder';
  readonly id: string;
  readonly context: string;
  readonly namespace: string | undefined;
}

/** One release (its latest revision); expands to the objects of its manifest. */
export interface HelmReleaseNode {
  readonly type: 'helmRelease';
  readonly id: string;
  readonly context: string;
  readonly namespace: string;
  readonly release: string;
  /** Shown in the all-namespaces folder (its item names the namespace). */
  readonly allNamespaces: boolean;
  summary: ReleaseSummary;
}

/** An object a release's manifest names that the tree cannot show live (not found, or a kind it does not serve). */
export interface HelmObjectNode {
  readonly type: 'helmObject';
  readonly id: string;
  readonly context: string;
  readonly object: ManifestObject;
  readonly namespace: string | undefined;
  readonly state: 'loading' | 'missing' | 'unknownKind' | 'error';
  readonly detail?: string;
}

/**
 * Hands out one instance per node id: VS Code finds the element to refresh by identity, so a folder passed to
 * onDidChangeTreeData must be the very object getChildren returned.
 */
export class NodeRegistry {
  private readonly nodes = new Map<string, Node>();
  /**
   * Resource nodes by parent id, then uid: a folder may show 50,000 rows and refresh every 250 ms, so finding a
   * row's node is one lookup without building its id, and pruning touches only that parent's nodes. `seen` is the
   * page (see nextPage()) that last showed the node.
   */
  private readonly resources = new Map<string, Map<string, { node: ResourceNode; seen: number }>>();
  private pageCount = 0;

  context(context: string): ContextNode {
    return this.intern({ type: 'context', id: `ctx:${context}`, context });
  }

  scope(context: string, scope: ScopeNode['scope']): ScopeNode {
    const suffix = scope.kind === 'namespace' ? `ns:${scope.namespace}` : scope.kind;
    return this.intern({ type: 'scope', id: `scope:${context}:${suffix}`, context, scope });
  }

  category(context: string, namespace: string | undefined, category: Category, apiGroup?: string): CategoryNode {
    const id = `cat:${context}:${namespace ?? '*'}:${category}:${apiGroup ?? ''}`;
    return this.intern({ type: 'category', id, context, namespace, category, apiGroup });
  }

  folder(context: string, key: ResourceKey, label: string): FolderNode {
    return this.intern({ type: 'folder', id: `folder:${context}:${keyId(key)}`, context, key, label });
  }

  helmFolder(context: string, namespace: string | undefined): HelmFolderNode {
    return this.intern({ type: 'helmFolder', id: `helm:${context}:${namespace ?? '*'}`, context, namespace });
  }

  helmRelease(folder: HelmFolderNode, summary: ReleaseSummary): HelmReleaseNode {
    const { id: folderId, context } = folder;
    const namespace = summary.latest.namespace ?? '';
    const id = `helmrel:${folderId}:${namespace}/${summary.latest.release}`;
    const existing = this.nodes.get(id) as HelmReleaseNode | undefined;
    if (existing) {
      existing.summary = summary;
      return existing;
    }
    const release = summary.latest.release;
    const allNamespaces = folder.namespace === undefined;
    return this.intern({ type: 'helmRelease', id, context, namespace, release, allNamespaces, summary });
  }

  helmObject(
    parentId: string,
    context: string,
    object: ManifestObject,
    namespace: string | undefined,
    state: HelmObjectNode['state'],
    detail?: string,
  ): HelmObjectNode {
    const id = `helmobj:${parentId}:${object.apiVersion}/${object.kind}/${namespace ?? ''}/${object.name}`;
    return { type: 'helmObject', id, context, object, namespace, state, detail };
  }

  /** Forgets the release nodes under a Helm folder that are no longer shown. */
  pruneReleases(folderId: string, keep: ReadonlySet<string>): void {
    const prefix = `helmrel:${folderId}:`;
    for (const id of this.nodes.keys()) {
      if (id.startsWith(prefix) && !keep.has(id)) this.nodes.delete(id);
    }
  }

  /** A stamp for the nodes one getChildren hands out (see resource() and prune()). */
  nextPage(): number {
    return ++this.pageCount;
  }

  /** `parentId` keeps ids unique when the same object shows under several parents (folder, owner, node). */
  resource(parentId: string, context: string, key: ResourceKey, row: ResourceRow, page = 0): ResourceNode {
    let byUid = this.resources.get(parentId);
    if (!byUid) this.resources.set(parentId, (byUid = new Map<string, { node: ResourceNode; seen: number }>()));
    const existing = byUid.get(row.uid);
    if (existing) {
      existing.node.row = row;
      existing.seen = page;
      return existing.node;
    }
    const node: ResourceNode = { type: 'resource', id: `res:${parentId}:${row.uid}`, context, key, row };
    byUid.set(row.uid, { node, seen: page });
    return node;
  }

  message(parentId: string, text: string, severity: MessageNode['severity'], detail?: string): MessageNode {
    return {
      type: 'message',
      id: `msg:${parentId}:${severity}`,
      text,
      severity,
      detail,
      folderId: severity === 'more' ? parentId : undefined,
    };
  }

  byId(id: string): Node | undefined {
    return this.nodes.get(id);
  }

  findFolder(context: string, key: ResourceKey): FolderNode | undefined {
    return this.nodes.get(`folder:${context}:${keyId(key)}`) as FolderNode | undefined;
  }

  /**
   * Forgets the resource nodes under a parent that the page `page` did not show (`shown` of them), so the registry
   * does not grow forever (it holds at most twice what is shown, or 1,000 more). Nothing is walked below that.
   */
  prune(parentId: string, shown: number, page: number): void {
    const byUid = this.resources.get(parentId);
    // Some slack: a filter typed and cleared, or a page shown and hidden again, does not walk a big folder each time.
    if (!byUid || byUid.size <= shown + Math.max(1000, shown)) return;
    for (const [uid, entry] of byUid) if (entry.seen !== page) byUid.delete(uid);
    if (byUid.size === 0) this.resources.delete(parentId);
  }

  clear(): void {
    this.nodes.clear();
    this.resources.clear();
  }

  private intern<T extends Node>(node: T): T {
    const existing = this.nodes.get(node.id);
    if (existing) return existing as T;
    this.nodes.set(node.id, node);
    return node;
  }
}
