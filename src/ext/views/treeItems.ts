import * as vscode from 'vscode';
import type { ConnectionState } from '../../core/watch/clusterSession';
import type { Health } from '../../core/resources/rows';
import type { ContextInfo } from '../../core/kube/kubeconfig';
import type { Node } from './nodes';

const HEALTH_COLOURS: Record<Health, string | undefined> = {
  ok: 'testing.iconPassed',
  progressing: 'charts.yellow',
  warning: 'problemsWarningIcon.foreground',
  error: 'problemsErrorIcon.foreground',
  unknown: undefined,
};

const KIND_ICONS: Record<string, string> = {
  Namespace: 'symbol-namespace',
  Node: 'server',
  Pod: 'package',
  Deployment: 'layers',
};

export function contextItem(
  info: ContextInfo | undefined,
  name: string,
  state: ConnectionState,
  isCurrent: boolean,
): vscode.TreeItem {
  const item = new vscode.TreeItem(name, vscode.TreeItemCollapsibleState.Collapsed);
  item.id = `ctx:${name}`;
  const where = info?.server ?? 'no cluster defined';
  switch (state.state) {
    case 'connected':
      item.description = `${isCurrent ? '● ' : ''}${state.version}`;
      item.iconPath = new vscode.ThemeIcon('vm-active', new vscode.ThemeColor('testing.iconPassed'));
      break;
    case 'connecting':
      item.description = `${isCurrent ? '● ' : ''}connecting…`;
      item.iconPath = new vscode.ThemeIcon('loading~spin');
      break;
    case 'failed':
      item.description = `${isCurrent ? '● ' : ''}${state.error.kind === 'unauthorized' || state.error.kind === 'authPlugin' ? 'auth failed' : 'unreachable'}`;
      item.iconPath = new vscode.ThemeIcon('vm-outline', new vscode.ThemeColor('problemsErrorIcon.foreground'));
      break;
    default:
      item.description = isCurrent ? '● current' : '';
      item.iconPath = new vscode.ThemeIcon('vm');
  }
  const tooltip = new vscode.MarkdownString(undefined, true);
  tooltip.appendMarkdown(`**${escape(name)}**\n\n`);
  tooltip.appendMarkdown(
    `- server: \`${where}\`\n- user: \`${info?.user ?? ''}\`\n- namespace: \`${info?.namespace ?? 'default'}\`\n- file: \`${info?.file ?? ''}\``,
  );
  if (state.state === 'failed') tooltip.appendMarkdown(`\n\n${escape(state.error.message)}`);
  item.tooltip = tooltip;
  item.contextValue = `context${isCurrent ? ' current' : ''}`;
  return item;
}

export function toTreeItem(node: Exclude<Node, { type: 'context' }>): vscode.TreeItem {
  switch (node.type) {
    case 'folder': {
      const item = new vscode.TreeItem(node.label, vscode.TreeItemCollapsibleState.Collapsed);
      item.id = node.id;
      item.iconPath = new vscode.ThemeIcon('folder');
      item.contextValue = 'folder';
      return item;
    }
    case 'resource': {
      const { row } = node;
      const item = new vscode.TreeItem(row.name, vscode.TreeItemCollapsibleState.None);
      item.id = node.id;
      item.description = row.status;
      const colour = HEALTH_COLOURS[row.health];
      item.iconPath = new vscode.ThemeIcon(
        KIND_ICONS[row.kind] ?? 'symbol-object',
        colour ? new vscode.ThemeColor(colour) : undefined,
      );
      item.tooltip = [
        `${row.kind} ${row.namespace ? `${row.namespace}/` : ''}${row.name}`,
        row.status,
        row.created ? `created ${row.created}` : '',
      ]
        .filter(Boolean)
        .join('\n');
      item.contextValue = `resource kind:${row.kind}`;
      return item;
    }
    case 'message': {
      const item = new vscode.TreeItem(node.text, vscode.TreeItemCollapsibleState.None);
      item.id = node.id;
      item.tooltip = node.detail ?? node.text;
      item.iconPath =
        node.severity === 'loading'
          ? new vscode.ThemeIcon('loading~spin')
          : node.severity === 'error'
            ? new vscode.ThemeIcon('error', new vscode.ThemeColor('problemsErrorIcon.foreground'))
            : new vscode.ThemeIcon('info');
      item.contextValue = 'message';
      return item;
    }
  }
}

function escape(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, '\\$&');
}
