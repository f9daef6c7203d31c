import * as vscode from 'vscode';
import type { SessionRegistry } from '../../core/watch/clusterSession';
import { KubeError } from '../../core/kube/errors';
import {
  describeTarget,
  isForwardKind,
  portsOf,
  PortForwardSession,
  websocketOpener,
  forwardTargetPath,
  type ForwardState,
  type ForwardTarget,
  type StreamOpener,
} from '../../core/portforward/portForward';
import type { KubeObject } from '../../core/resources/kubeObject';
import type { Guard } from '../guard';
import type { OutputLogger } from '../log';
import { Commands, ContextKeys } from '../ids';
import type { CommandTable } from '../registerCommands';
import { objectTargetOf } from '../views/targets';

export type PortForwardCommand =
  | typeof Commands.portForward
  | typeof Commands.stopPortForward
  | typeof Commands.openPortForward;

function forwardTarget(arg: unknown): ForwardTarget {
  const ref = objectTargetOf(arg)?.ref;
  if (ref && ref.namespace !== undefined && isForwardKind(ref.kind)) {
    return { context: ref.context, namespace: ref.namespace, kind: ref.kind, name: ref.name };
  }
  throw new KubeError('invalid', 'Choose a Pod, Service or Deployment in the Clusters view to forward a port from');
}

/** The active forwards, the "Port Forwards" view's model and data provider. All are stopped on dispose. */
export class PortForwards implements vscode.TreeDataProvider<ForwardState>, vscode.Disposable {
  private readonly forwards = new Map<string, { session: PortForwardSession; sub: { dispose(): void } }>();
  private readonly changed = new vscode.EventEmitter<ForwardState | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private next = 1;

  constructor(
    private readonly sessions: SessionRegistry,
    private readonly guard: Guard,
    private readonly log: OutputLogger,
    private readonly opener?: (context: string) => StreamOpener,
  ) {}

  list(): ForwardState[] {
    return [...this.forwards.values()].map((f) => f.session.state);
  }

  async start(target: ForwardTarget, remotePort: number, localPort = 0): Promise<ForwardState> {
    const session = this.sessions.get(target.context);
    const client = session.client;
    const open = this.opener?.(target.context) ?? websocketOpener(client);
    const id = `pf-${this.next++}`;
    const forward = new PortForwardSession(id, target, remotePort, client, open, this.log);
    try {
      await forward.start(localPort);
    } catch (err) {
      forward.dispose();
      throw err;
    }
    const sub = forward.onDidChange(() => this.changed.fire(undefined));
    this.forwards.set(id, { session: forward, sub });
    this.changed.fire(undefined);
    this.publish();
    return forward.state;
  }

  stop(id: string): boolean {
    const f = this.forwards.get(id);
    if (!f) return false;
    f.sub.dispose();
    f.session.dispose();
    this.forwards.delete(id);
    this.changed.fire(undefined);
    this.publish();
    return true;
  }

  /** Stops the forwards of the contexts `isReadOnly` names (they became read-only); returns how many. */
  stopWhere(isReadOnly: (context: string) => boolean): number {
    let stopped = 0;
    for (const [id, f] of [...this.forwards]) {
      if (!isReadOnly(f.session.state.target.context)) continue;
      this.log.warn('portforward', `stopped ${id}: context "${f.session.state.target.context}" became read-only`);
      this.stop(id);
      stopped++;
    }
    return stopped;
  }

  /** The Port Forwards view is shown while there are forwards (it takes no room from the Clusters view otherwise). */
  private publish(): void {
    void vscode.commands.executeCommand('setContext', ContextKeys.hasPortForwards, this.forwards.size > 0);
  }

  getTreeItem(state: ForwardState): vscode.TreeItem {
    const t = state.target;
    const item = new vscode.TreeItem(
      `127.0.0.1:${state.localPort} → ${t.kind.toLowerCase()}/${t.name}:${state.remotePort}`,
      vscode.TreeItemCollapsibleState.None,
    );
    item.id = state.id;
    item.description = [t.namespace, t.context, t.kind !== 'Pod' && state.pod ? `pod ${state.pod}` : '']
      .filter(Boolean)
      .join(' · ');
    item.tooltip = [
      `Forwarding 127.0.0.1:${state.localPort} to port ${state.remotePort} of ${describeTarget(t)}`,
      state.pod ? `Current pod: ${state.pod}` : '',
      `Open connections: ${state.connections}`,
      state.error ?? '',
    ]
      .filter(Boolean)
      .join('\n');
    item.iconPath = new vscode.ThemeIcon(
      state.error ? 'warning' : 'plug',
      state.error ? new vscode.ThemeColor('problemsWarningIcon.foreground') : undefined,
    );
    item.contextValue = 'portForward';
    return item;
  }

  getChildren(element?: ForwardState): ForwardState[] {
    return element ? [] : this.list();
  }

  private async pickPort(target: ForwardTarget): Promise<number | undefined> {
    const client = this.sessions.get(target.context).client;
    const obj = await client.getJson<KubeObject>(forwardTargetPath(target), {}, `reading ${describeTarget(target)}`);
    const ports = portsOf(target.kind, obj);
    const other = { label: 'Another port…', port: -1, description: undefined as string | undefined };
    const picked = await vscode.window.showQuickPick(
      [
        ...ports.map((p) => ({
          label: String(p.port),
          description: [p.name, p.targetPort !== undefined ? `→ ${p.targetPort}` : ''].filter(Boolean).join(' '),
          port: p.port,
        })),
        other,
      ],
      { placeHolder: `Port of ${target.kind.toLowerCase()}/${target.name} to forward` },
    );
    if (!picked) return undefined;
    if (picked.port !== -1) return picked.port;
    const text = await vscode.window.showInputBox({
      prompt: `Port of ${target.kind.toLowerCase()}/${target.name}`,
      validateInput: (v) => (validPort(v) ? undefined : 'A port number from 1 to 65535'),
    });
    return text === undefined ? undefined : Number(text);
  }

  commands(): CommandTable<PortForwardCommand> {
    return {
      [Commands.portForward]: {
        title: 'forwarding a port',
        run: async (arg, more) => {
          const target = forwardTarget(arg);
          const opts = (typeof more === 'object' && more !== null ? more : {}) as {
            remotePort?: number;
            localPort?: number;
          };
          const remotePort = opts.remotePort ?? (await this.pickPort(target));
          if (remotePort === undefined) return undefined;
          let localPort = opts.localPort;
          if (localPort === undefined) {
            const text = await vscode.window.showInputBox({
              title: `Forward port ${remotePort} of ${target.kind.toLowerCase()}/${target.name}`,
              prompt: 'Local port on 127.0.0.1 (empty: a free port)',
              value: String(remotePort >= 1024 ? remotePort : ''),
              validateInput: (v) => (v.trim() === '' || validPort(v) ? undefined : 'A port number, or empty'),
            });
            if (text === undefined) return undefined;
            localPort = text.trim() === '' ? 0 : Number(text);
          }
          // Opening a local port changes nothing in the cluster, but it does reach into it: the guard decides.
          await this.guard.confirmChange(
            target.context,
            `forwarding a local port to ${target.kind.toLowerCase()} ${target.namespace}/${target.name}`,
          );
          const state = await this.start(target, remotePort, localPort);
          void vscode.window
            .showInformationMessage(
              `Forwarding 127.0.0.1:${state.localPort} to port ${remotePort} of ${target.kind.toLowerCase()}/${target.name}${state.pod && target.kind !== 'Pod' ? ` (pod ${state.pod})` : ''}.`,
              'Open in Browser',
            )
            .then((choice) => {
              if (choice) void vscode.env.openExternal(vscode.Uri.parse(`http://127.0.0.1:${state.localPort}/`));
            });
          return state;
        },
      },
      [Commands.stopPortForward]: {
        title: 'stopping the port-forward',
        run: (arg) => {
          const id = typeof arg === 'string' ? arg : (arg as Partial<ForwardState> | undefined)?.id;
          return id ? this.stop(id) : false;
        },
      },
      [Commands.openPortForward]: {
        title: 'opening the forwarded port',
        run: async (arg) => {
          const id = typeof arg === 'string' ? arg : (arg as Partial<ForwardState> | undefined)?.id;
          const state = this.list().find((s) => s.id === id);
          if (!state) return false;
          return vscode.env.openExternal(vscode.Uri.parse(`http://127.0.0.1:${state.localPort}/`));
        },
      },
    };
  }

  dispose(): void {
    for (const id of [...this.forwards.keys()]) this.stop(id);
    this.changed.dispose();
  }
}

function validPort(text: string): boolean {
  const n = Number(text.trim());
  return /^\d+$/.test(text.trim()) && n >= 1 && n <= 65535;
}
