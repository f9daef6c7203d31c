import * as vscode from 'vscode';
import type { ConnectionState } from '../../core/watch/clusterSession';
import type { Health } from '../../core/resources/rows';
import type { ContextInfo } from '../../core/kube/kubeconfig';
import { CATEGORY_ICONS } from '../../core/resources/catalog';
import { capabilityTag, kindInfo } from '../../core/resources/kinds';
import { escapeMarkdown, inlineCode } from '../../core/common/markdown';
import { Commands } from '../ids';
import type { HelmObjectNode, HelmReleaseNode, Node, ScopeNode } from './nodes';
import { ITEM_CAPABILITIES } from '../../core/resources/kinds';
import { chartLabel } from '../../core/helm/release';

const HEALTH_COLOURS: Record<Health, string | undefined> = {
  ok: 'testing.iconPassed',
  progressing: 'charts.yellow',
  warning: 'problemsWarningIcon.foreground',
  error: 'problemsErrorIcon.foreground',
  unknown: undefined,
};

export function contextItem(
  info: ContextInfo | undefined,
  name: string,
  state: ConnectionState,
  isCurrent: boolean,
  filter?: string,
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
  tooltip.appendMarkdown(`**${escapeMarkdown(name)}**\n\n`);
  tooltip.appendMarkdown(
    `- server: ${inlineCode(where)}\n- user: ${inlineCode(info?.user ?? '')}\n- namespace: ${inlineCode(info?.namespace ?? 'default')}\n- file: ${inlineCode(info?.file ?? '')}`,
  );
  if (state.state === 'failed') tooltip.appendMarkdown(`\n\n${escapeMarkdown(state.error.message)}`);
  item.tooltip = tooltip;
  if (filter) item.description = `${String(item.description ?? '')} · namespaces: ${filter}`;
  item.contextValue = `context filterable${isCurrent ? ' current' : ''}`;
  return item;
}

export function scopeItem(node: ScopeNode, isWindowNamespace: boolean, filter: string | undefined): vscode.TreeItem {
  const label =
    node.scope.kind === 'cluster'
      ? 'Cluster'
      : node.scope.kind === 'allNamespaces'
        ? 'All namespaces'
        : node.scope.namespace;
  const item = new vscode.TreeItem(label, vscode.TreeItemCollapsibleState.Collapsed);
  item.id = node.id;
  item.iconPath = new vscode.ThemeIcon(
    node.scope.kind === 'cluster'
      ? 'server-environment'
      : node.scope.kind === 'allNamespaces'
        ? 'globe'
        : 'symbol-namespace',
  );
  item.description = [isWindowNamespace ? '● this window' : '', filter ? `filter: ${filter}` : '']
    .filter(Boolean)
    .join(' · ');
  item.contextValue = [`scope scope:${node.scope.kind} filterable`, ...ITEM_CAPABILITIES.Scope.map(capabilityTag)].join(
    ' ',
  );
  return item;
}

/** What the user may do with an object: tokens for menus, and why not, for the tooltip. */
export interface Capabilities {
  readonly can: readonly string[];
  readonly cannot: readonly string[];
}

/** CPU and memory of a pod or node item (from metrics.k8s.io): a description part and tooltip lines. */
export interface UsageText {
  readonly description: string;
  readonly tooltip: readonly string[];
}

export function toTreeItem(
  node: Exclude<Node, { type: 'context' | 'scope' }>,
  filter?: string,
  count?: number,
  capabilities?: Capabilities,
  usage?: UsageText,
): vscode.TreeItem {
  switch (node.type) {
    case 'category': {
      const item = new vscode.TreeItem(node.apiGroup ?? node.category, vscode.TreeItemCollapsibleState.Collapsed);
      item.id = node.id;
      item.iconPath = new vscode.ThemeIcon(node.apiGroup ? 'symbol-module' : CATEGORY_ICONS[node.category]);
      item.contextValue = 'category';
      return item;
    }
    case 'folder': {
      const item = new vscode.TreeItem(node.label, vscode.TreeItemCollapsibleState.Collapsed);
      item.id = node.id;
      item.iconPath = new vscode.ThemeIcon('folder');
      item.description = [count === undefined ? '' : String(count), filter ? `filter: ${filter}` : '']
        .filter(Boolean)
        .join(' · ');
      item.tooltip = `${node.key.kind} (${node.key.group || 'core'}/${node.key.version}) ${node.key.namespace ? `in ${node.key.namespace}` : node.key.namespaced ? 'in all namespaces' : ''}`;
      item.contextValue = 'folder filterable';
      return item;
    }
    case 'resource': {
      const { row } = node;
      const hasChildren = kindInfo(row.kind)?.children !== undefined;
      const item = new vscode.TreeItem(
        row.name,
        hasChildren ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None,
      );
      item.id = node.id;
      item.description = [
        row.kind !== node.key.kind ? row.kind : '',
        !node.key.namespace && row.namespace ? row.namespace : '',
        row.status,
        usage?.description ?? '',
      ]
        .filter(Boolean)
        .join(' · ');
      const colour = HEALTH_COLOURS[row.health];
      item.iconPath = new vscode.ThemeIcon(
        kindInfo(row.kind)?.icon ?? 'symbol-object',
        colour ? new vscode.ThemeColor(colour) : undefined,
      );
      item.tooltip = [
        `${row.kind} ${row.namespace ? `${row.namespace}/` : ''}${row.name}`,
        row.status,
        row.created ? `created ${row.created}` : '',
        ...(usage?.tooltip ?? []),
        ...(capabilities?.cannot ?? []),
      ]
        .filter(Boolean)
        .join('\n');
      item.contextValue = [
        'resource',
        `kind:${row.kind}`,
        ...(kindInfo(row.kind)?.capabilities ?? []).map(capabilityTag),
        ...(capabilities?.can ?? []).map((c) => `can:${c}`),
      ].join(' ');
      item.command = { command: Commands.openResource, title: 'Open', arguments: [node] };
      return item;
    }
    case 'helmFolder': {
      const item = new vscode.TreeItem('Helm Releases', vscode.TreeItemCollapsibleState.Collapsed);
      item.id = node.id;
      item.iconPath = new vscode.ThemeIcon('package');
      item.tooltip = `Helm releases ${node.namespace ? `in ${node.namespace}` : 'in all namespaces'}: the latest revision of each, read from helm's release records (Secrets and ConfigMaps labelled owner=helm)`;
      item.contextValue = 'helmFolder';
      return item;
    }
    case 'helmRelease':
      return helmReleaseItem(node);
    case 'helmObject':
      return helmObjectItem(node);
    case 'message': {
      const item = new vscode.TreeItem(node.text, vscode.TreeItemCollapsibleState.None);
      item.id = node.id;
      item.tooltip = node.detail ?? node.text;
      if (node.severity === 'more' && node.folderId) {
        item.command = { command: Commands.showMore, title: 'Show more', arguments: [node.folderId] };
      }
      if (node.severity === 'warning') item.command = { command: Commands.showLog, title: 'Show Log' };
      item.iconPath =
        node.severity === 'more'
          ? new vscode.ThemeIcon('ellipsis')
          : node.severity === 'warning'
            ? new vscode.ThemeIcon('warning', new vscode.ThemeColor('problemsWarningIcon.foreground'))
            : node.severity === 'loading'
              ? new vscode.ThemeIcon('loading~spin')
              : node.severity === 'error'
                ? new vscode.ThemeIcon('error', new vscode.ThemeColor('problemsErrorIcon.foreground'))
                : new vscode.ThemeIcon('info');
      item.contextValue = 'message';
      return item;
    }
  }
}

/** Helm's release statuses (pkg/release/status.go) as the tree colours them. */
function releaseHealth(status: string): Health {
  if (status === 'deployed') return 'ok';
  if (status === 'failed') return 'error';
  if (status.startsWith('pending') || status === 'uninstalling') return 'progressing';
  if (status === 'superseded' || status === 'uninstalled') return 'warning';
  return 'unknown';
}

/** A release: helm list's columns in the description and tooltip; actions by capability tags. */
export function helmReleaseItem(node: HelmReleaseNode, capabilities?: Capabilities): vscode.TreeItem {
  const { latest, revisions } = node.summary;
  const item = new vscode.TreeItem(node.release, vscode.TreeItemCollapsibleState.Collapsed);
  item.id = node.id;
  const inAll = node.allNamespaces;
  if (latest.error) {
    item.description = [inAll ? node.namespace : '', `revision ${latest.revision}`, 'cannot be read']
      .filter(Boolean)
      .join(' · ');
    item.iconPath = new vscode.ThemeIcon('error', new vscode.ThemeColor('problemsErrorIcon.foreground'));
    item.tooltip = latest.error;
  } else {
    item.description = [
      inAll ? node.namespace : '',
      chartLabel(latest),
      latest.appVersion ? `app ${latest.appVersion}` : '',
      latest.status,
      `rev ${latest.revision}`,
      latest.updated ? `updated ${latest.updated.slice(0, 19).replace('T', ' ')}` : '',
    ]
      .filter(Boolean)
      .join(' · ');
    const colour = HEALTH_COLOURS[releaseHealth(latest.status)];
    item.iconPath = new vscode.ThemeIcon('package', colour ? new vscode.ThemeColor(colour) : undefined);
    item.tooltip = [
      `Helm release ${node.namespace}/${node.release}`,
      `chart: ${chartLabel(latest)}`,
      `app version: ${latest.appVersion || '—'}`,
      `status: ${latest.status}`,
      `revision: ${latest.revision} (${revisions} stored)`,
      `updated: ${latest.updated || '—'}`,
      latest.description ? `description: ${latest.description}` : '',
      `stored in: ${latest.storage === 'secret' ? 'Secret' : 'ConfigMap'} ${latest.name}`,
      ...(capabilities?.cannot ?? []),
    ]
      .filter(Boolean)
      .join('\n');
  }
  item.contextValue = [
    'helmRelease',
    ...ITEM_CAPABILITIES.HelmRelease.map(capabilityTag),
    ...(capabilities?.can ?? []).map((c) => `can:${c}`),
  ].join(' ');
  return item;
}

function helmObjectItem(node: HelmObjectNode): vscode.TreeItem {
  const item = new vscode.TreeItem(node.object.name, vscode.TreeItemCollapsibleState.None);
  item.id = node.id;
  const why =
    node.state === 'loading'
      ? 'loading…'
      : node.state === 'missing'
        ? 'not found'
        : node.state === 'unknownKind'
          ? 'kind not served by the cluster'
          : (node.detail ?? 'cannot be listed');
  item.description = `${node.object.kind} · ${why}`;
  item.iconPath =
    node.state === 'loading'
      ? new vscode.ThemeIcon('loading~spin')
      : new vscode.ThemeIcon('warning', new vscode.ThemeColor('problemsWarningIcon.foreground'));
  item.tooltip = `${node.object.apiVersion} ${node.object.kind} ${node.namespace ? `${node.namespace}/` : ''}${node.object.name}: ${why}`;
  item.contextValue = 'helmObject';
  return item;
}
