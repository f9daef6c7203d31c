import type { TopDocuments } from '../documents/topDocument';
import * as vscode from 'vscode';
import type { KubeconfigService } from '../../core/kube/kubeconfigService';
import type { SessionRegistry } from '../../core/watch/clusterSession';
import { Commands } from '../ids';
import type { CommandTable } from '../registerCommands';
import type { OutputLogger } from '../log';
import type { WindowState } from '../windowState';
import type { ClusterTreeProvider } from '../views/clusterTree';
import type { Node } from '../views/nodes';
import { config } from '../config';
import type { ResourceDocuments } from '../documents/resourceFileSystem';
import { documentCommands } from './documents';
import type { RolloutActions } from '../rollout/rolloutCommands';
import type { PortForwards } from '../portforward/portForwards';
import type { ApplyService } from '../apply/applyService';
import type { RenderedManifests } from '../apply/renderedManifests';
import { applyCommands } from './apply';
import { manifestCommands } from './schemaCommands';
import type { ManifestEditor } from '../yaml/manifestEditor';
import type { StreamCommands } from './streams';
import type { NodeCommands } from '../nodes/nodeCommands';
import type { EventsTimeline } from '../documents/eventsTimeline';
import type { HelmActions } from '../helm/helmActions';

export interface CommandServices {
  kubeconfig: KubeconfigService;
  sessions: SessionRegistry;
  state: WindowState;
  tree: ClusterTreeProvider;
  log: OutputLogger;
  documents: ResourceDocuments;
  rollouts: RolloutActions;
  portForwards: PortForwards;
  apply: ApplyService;
  rendered: RenderedManifests;
  manifests: ManifestEditor;
  streams: StreamCommands;
  nodes: NodeCommands;
  events: EventsTimeline;
  helm: HelmActions;
  top: TopDocuments;
}

function asNode(value: unknown): Node | undefined {
  return typeof value === 'object' && value !== null && 'type' in value && 'id' in value ? (value as Node) : undefined;
}

/** Every command id maps to its handler; the compiler checks that none is missing. */
export function buildCommandTable(s: CommandServices): CommandTable {
  return {
    ...documentCommands(s.documents),
    ...s.rollouts.commands(),
    ...s.portForwards.commands(),
    ...applyCommands(s.apply, s.rendered),
    ...manifestCommands(s.manifests),
    ...s.streams.commands(),
    ...s.nodes.commands(),
    [Commands.showEvents]: {
      title: 'opening the events timeline',
      run: (arg) => s.events.show(arg),
    },
    ...s.helm.commands(),
    [Commands.showTop]: {
      title: 'opening Top',
      run: (arg, sort) => s.top.show(arg, sort),
    },
    [Commands.sortTop]: {
      title: 'sorting Top',
      run: (arg, by) => s.top.sort(arg, by),
    },
    [Commands.refresh]: {
      title: 'refreshing the clusters',
      // Reloading announces the change: sessions are reset and the tree rebuilt by their listeners.
      run: () => {
        s.kubeconfig.reload();
      },
    },
    [Commands.reconnect]: {
      title: 'reconnecting',
      run: (arg) => {
        const node = asNode(arg);
        const context = node && 'context' in node ? node.context : s.state.context;
        // The session announces its new connection state; the tree repaints that context from it.
        if (context) s.sessions.get(context).reconnect();
      },
    },
    [Commands.useContext]: {
      title: 'switching context',
      run: async (arg) => {
        const node = asNode(arg);
        let context = node?.type === 'context' ? node.context : undefined;
        if (!context) {
          const current = s.state.context;
          const picked = await vscode.window.showQuickPick(
            s.kubeconfig.current.contexts.map((c) => ({
              label: c.name,
              description: c.name === current ? 'current in this window' : c.namespace,
              detail: c.server,
            })),
            { placeHolder: 'Context for this window (your kubeconfig is not changed)' },
          );
          context = picked?.label;
        }
        if (context) await s.state.setContext(context);
      },
    },
    [Commands.useNamespace]: {
      title: 'switching namespace',
      run: async (arg) => {
        const node = asNode(arg);
        if (node?.type === 'resource' && node.row.kind === 'Namespace') {
          await s.state.setNamespace(node.context, node.row.name);
          return;
        }
        const context = s.state.context;
        if (!context) throw new Error('No context is defined in the kubeconfig');
        const snapshot = s.sessions
          .get(context)
          .list({ group: '', version: 'v1', plural: 'namespaces', kind: 'Namespace', namespaced: false });
        const names = snapshot.items.map((row) => row.name);
        const picked = await vscode.window.showQuickPick(names.length > 0 ? names : [s.state.namespace], {
          placeHolder: `Namespace for ${context} in this window`,
        });
        if (picked) await s.state.setNamespace(context, picked);
      },
    },
    [Commands.chooseKubeconfig]: {
      title: 'choosing a kubeconfig file',
      run: async () => {
        const picked = await vscode.window.showOpenDialog({
          canSelectMany: false,
          openLabel: 'Use this kubeconfig',
          title: 'Choose a kubeconfig file',
        });
        const file = picked?.[0]?.fsPath;
        if (!file) return;
        // The settings change reloads the kubeconfig (see extension.ts), which resets the sessions.
        await config.addKubeconfigFile(file);
      },
    },
    [Commands.copyName]: {
      title: 'copying the name',
      run: async (arg) => {
        const node = asNode(arg);
        const name = node?.type === 'resource' ? node.row.name : node?.type === 'context' ? node.context : undefined;
        if (name) await vscode.env.clipboard.writeText(name);
      },
    },
    [Commands.showMore]: {
      title: 'showing more',
      run: (arg) => {
        if (typeof arg === 'string') s.tree.showMore(arg);
      },
    },
    [Commands.filter]: {
      title: 'filtering',
      run: async (arg) => {
        const node = asNode(arg);
        if (!node) return;
        const isContext = node.type === 'context';
        const value = await vscode.window.showInputBox({
          title: isContext ? 'Filter namespaces' : 'Filter by name or label',
          prompt: isContext
            ? 'Show the namespaces whose name contains this text'
            : 'Text in the name, or a label selector such as app=web or tier!=db',
          value: s.tree.filterOf(node) ?? '',
        });
        if (value !== undefined) s.tree.setFilter(node, value);
      },
    },
    [Commands.clearFilter]: {
      title: 'clearing the filter',
      run: (arg) => {
        const node = asNode(arg);
        if (node) s.tree.setFilter(node, undefined);
      },
    },
    [Commands.showLog]: {
      title: 'showing the log',
      run: () => s.log.show(),
    },
  };
}
