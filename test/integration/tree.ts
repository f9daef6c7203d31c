import type { Node } from '../../src/ext/views/nodes';
import { api, eventually } from './helpers';

/** The text a user reads on a node. */
export function label(node: Node): string {
  switch (node.type) {
    case 'context':
      return node.context;
    case 'scope':
      return node.scope.kind === 'namespace' ? node.scope.namespace : node.scope.kind;
    case 'category':
      return node.apiGroup ?? node.category;
    case 'folder':
      return node.label;
    case 'resource':
      return node.row.name;
    case 'message':
      return node.text;
    case 'helmFolder':
      return 'Helm Releases';
    case 'helmRelease':
      return node.release;
    case 'helmObject':
      return node.object.name;
  }
}

export async function childrenOf(parent: Node | undefined): Promise<Node[]> {
  const { tree } = await api();
  return tree.getChildren(parent);
}

/**
 * Walks the tree by labels, waiting at each level until the child appears (connecting, listing and watching
 * are asynchronous), exactly as a user expanding the nodes would see it.
 */
export async function walk(...path: string[]): Promise<Node> {
  let node: Node | undefined;
  for (const step of path) {
    const parent = node;
    node = await eventually(`"${step}" under ${parent ? label(parent) : 'the root'}`, async () => {
      const kids = await childrenOf(parent);
      return kids.find((k) => label(k) === step);
    });
  }
  if (!node) throw new Error('empty path');
  return node;
}

export async function resourceNames(parent: Node): Promise<string[]> {
  return (await childrenOf(parent)).filter((k) => k.type === 'resource').map(label);
}
