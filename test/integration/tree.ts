import type { Node } from '../../src/ext/views/nodes';
import { api, eventually } from './helpers';
import { label } from './treeLabel';

export { label };

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
