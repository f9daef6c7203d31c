import type { ResourceKey } from '../../core/watch/clusterSession';
import { keyId } from '../../core/watch/clusterSession';
import type { ResourceRow } from '../../core/resources/rows';

export type Node = ContextNode | FolderNode | ResourceNode | MessageNode;

export interface ContextNode {
  readonly type: 'context';
  readonly id: string;
  readonly context: string;
}

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
  readonly severity: 'info' | 'loading' | 'error';
  readonly detail?: string;
}

/**
 * Hands out one instance per node id: VS Code finds the element to refresh by identity, so a folder passed to
 * onDidChangeTreeData must be the very object getChildren returned.
 */
export class NodeRegistry {
  private readonly nodes = new Map<string, Node>();

  context(context: string): ContextNode {
    return this.intern({ type: 'context', id: `ctx:${context}`, context });
  }

  folder(context: string, key: ResourceKey, label: string): FolderNode {
    return this.intern({ type: 'folder', id: `folder:${context}:${keyId(key)}`, context, key, label });
  }

  resource(parent: FolderNode, row: ResourceRow): ResourceNode {
    const id = `res:${parent.context}:${keyId(parent.key)}:${row.uid}`;
    const existing = this.nodes.get(id) as ResourceNode | undefined;
    if (existing) {
      existing.row = row;
      return existing;
    }
    return this.intern({ type: 'resource', id, context: parent.context, key: parent.key, row });
  }

  message(parentId: string, text: string, severity: MessageNode['severity'], detail?: string): MessageNode {
    // Messages are not interned by text: their identity is their place under the parent.
    return { type: 'message', id: `msg:${parentId}:${severity}`, text, severity, detail };
  }

  findFolder(context: string, key: ResourceKey): FolderNode | undefined {
    return this.nodes.get(`folder:${context}:${keyId(key)}`) as FolderNode | undefined;
  }

  /** Forgets resource nodes of a folder that are no longer listed, so the registry does not grow forever. */
  prune(parent: FolderNode, keep: ReadonlySet<string>): void {
    const prefix = `res:${parent.context}:${keyId(parent.key)}:`;
    for (const id of this.nodes.keys()) {
      if (id.startsWith(prefix) && !keep.has(id)) this.nodes.delete(id);
    }
  }

  clear(): void {
    this.nodes.clear();
  }

  private intern<T extends Node>(node: T): T {
    const existing = this.nodes.get(node.id);
    if (existing) return existing as T;
    this.nodes.set(node.id, node);
    return node;
  }
}
