// No `vscode` here: the host memory probe (bench) uses it too.
import type { Node } from '../../src/ext/views/nodes';

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
