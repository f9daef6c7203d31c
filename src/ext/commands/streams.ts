import * as vscode from 'vscode';
import type { Logger } from '../../core/common/logger';
import type { SessionRegistry } from '../../core/watch/clusterSession';
import { AUTO_SHELL } from '../../core/streams/exec';
import { addDebugContainer, waitDebugContainer } from '../../core/streams/debugContainer';
import { containerPath, copyFromContainer, copyToContainer, MAX_COPY_BYTES } from '../../core/streams/copyFiles';
import { splitArgs } from '../../core/streams/args';
import { containerNames, podPath, type LogOptions } from '../../core/streams/logFollower';
import { podSelectionOf, type WorkloadRef } from '../../core/streams/workloadLogs';
import { hasCapability } from '../../core/resources/kinds';
import { SETTINGS_SECTION, Commands } from '../ids';
import type { CommandTable } from '../registerCommands';
import type { Guard } from '../guard';
import { openLogTerminal, type TerminalSession } from '../terminals/logTerminal';
import { openContainerTerminal, type ContainerSession } from '../terminals/execTerminal';
import { activeEditorTarget, objectTargetOf } from '../views/targets';
import type { LogDocuments } from '../terminals/logDocuments';

type StreamCommand =
  | typeof Commands.followLogs
  | typeof Commands.openLogs
  | typeof Commands.logsWithOptions
  | typeof Commands.exec
  | typeof Commands.execCommand
  | typeof Commands.attach
  | typeof Commands.copyFromPod
  | typeof Commands.copyToPod
  | typeof Commands.debugContainer;

/**
 * What a stream command is about: a tree item (ResourceNode), or a plain object (other commands, tests):
 * `{ context, namespace, kind, name, container?, options?, target?, command? }`. Given fields skip their picker.
 */
export interface StreamTarget {
  readonly context: string;
  readonly namespace: string;
  readonly kind: string;
  readonly name: string;
  readonly container?: string;
  readonly options?: Partial<LogOptions> & { includeInit?: boolean };
  /** For logsWithOptions: where to show them. */
  readonly target?: 'terminal' | 'document';
  /** For execCommand: the command and its arguments (no shell involved). */
  readonly command?: readonly string[];
  /** For copyFromPod: the path in the container; for copyToPod: the folder in the container. */
  readonly remotePath?: string;
  /** For copyFromPod: the local folder to copy into; for copyToPod: the local file to copy. */
  readonly localPath?: string;
  /** For copyFromPod: replace local files that exist without asking. */
  readonly overwrite?: boolean;
  /** For debugContainer: the debugger's image, and the container whose processes it shares ('' for none). */
  readonly image?: string;
  readonly targetContainer?: string;
}

/** A stream command's target: any object target (a plain object's kind defaults to Pod), with its own fields. */
function targetOf(arg: unknown): StreamTarget | undefined {
  const given = typeof arg === 'object' && arg !== null && !(arg instanceof vscode.Uri) ? arg : undefined;
  const ref = objectTargetOf(given && !('type' in given) ? { kind: 'Pod', ...given } : arg)?.ref;
  if (!ref?.kind || ref.namespace === undefined) return undefined;
  const extra = given && !('type' in given) ? (given as Partial<StreamTarget>) : {};
  return { ...extra, context: ref.context, namespace: ref.namespace, kind: ref.kind, name: ref.name };
}

/** From the palette: the pod whose document (YAML or describe) is in the active editor. */
function activePodTarget(): StreamTarget | undefined {
  const ref = activeEditorTarget()?.ref;
  if (!ref || ref.group !== '' || ref.plural !== 'pods' || !ref.namespace) return undefined;
  return { context: ref.context, namespace: ref.namespace, kind: 'Pod', name: ref.name };
}

/** The command's target, when its kind has `capability` in the kind registry. */
function required(arg: unknown, capability: 'logs' | 'exec' | 'attach' | 'debug'): StreamTarget {
  const t = targetOf(arg);
  if (!t) throw new Error('Choose a pod or workload in the Clusters view first');
  if (!hasCapability(t.kind, capability))
    throw new Error(
      capability === 'logs'
        ? `${t.kind} "${t.name}" has no logs; choose a pod or a workload`
        : `${t.kind} "${t.name}" is not a pod: ${capability} needs a pod`,
    );
  return t;
}

function settings(): { tailLines: number; timestamps: boolean; maxLines: number; shell: string } {
  const c = vscode.workspace.getConfiguration(SETTINGS_SECTION);
  return {
    tailLines: c.get<number>('logs.tailLines', 500),
    timestamps: c.get<boolean>('logs.timestamps', false),
    maxLines: Math.max(1000, c.get<number>('logs.maxLines', 20_000)),
    shell: c.get<string>('exec.shell', '').trim(),
  };
}

/** Logs and exec: terminals, documents, and what tests can see of them. */
export class StreamCommands {
  /** Every terminal opened by these commands, newest last (the extension API hands it to tests). */
  readonly sessions: TerminalSession[] = [];

  constructor(
    private readonly registry: SessionRegistry,
    private readonly documents: LogDocuments,
    private readonly guard: Guard,
    private readonly log: Logger,
  ) {}

  /** Open exec and attach terminals, by context: they act in the cluster, so the guard can cut them. */
  private readonly acting = new Map<TerminalSession, string>();

  /**
   * Ends the exec and attach connections of the contexts `isReadOnly` names (they became read-only after the
   * terminal opened); each terminal says why. Returns how many were cut.
   */
  cutWhere(isReadOnly: (context: string) => boolean): number {
    let cut = 0;
    for (const [session, context] of [...this.acting]) {
      if (!isReadOnly(context) || !session.cut) continue;
      session.cut(
        `Context "${context}" became read-only in Kube Workbench (setting kubeWorkbench.readOnlyContexts): this ${session.kind} connection was closed.`,
      );
      this.acting.delete(session);
      cut++;
    }
    return cut;
  }

  private remember(session: TerminalSession, actingOn?: string): TerminalSession {
    if (actingOn !== undefined) {
      this.acting.set(session, actingOn);
      void session.closed.then(() => this.acting.delete(session));
    }
    this.sessions.push(session);
    if (this.sessions.length > 50) this.sessions.shift();
    session.terminal.show();
    return session;
  }

  private optionsOf(t: StreamTarget): LogOptions {
    const s = settings();
    const o = t.options ?? {};
    return {
      follow: o.follow ?? true,
      timestamps: o.timestamps ?? s.timestamps,
      tailLines: 'tailLines' in o ? o.tailLines : s.tailLines,
      sinceSeconds: o.sinceSeconds,
      previous: o.previous ?? false,
    };
  }

  private title(t: StreamTarget): string {
    const what = t.kind === 'Pod' ? t.name : `${t.kind.toLowerCase()}/${t.name}`;
    return `logs ${what}${t.container ? `/${t.container}` : ''}${t.options?.previous ? ' (previous)' : ''}`;
  }

  async followLogs(t: StreamTarget, where: 'terminal' | 'document'): Promise<TerminalSession | vscode.TextDocument> {
    const ref: WorkloadRef = { namespace: t.namespace, kind: t.kind, name: t.name };
    const client = this.registry.get(t.context).client;
    const selection = await podSelectionOf(client, ref);
    const choice = { container: t.container, includeInit: t.options?.includeInit ?? false };
    const options = this.optionsOf(t);
    const s = settings();
    if (where === 'document') {
      return this.documents.open(client, selection, choice, options, `${t.context} ${this.title(t)}`, s.maxLines);
    }
    return this.remember(openLogTerminal(client, selection, choice, options, this.title(t), this.log, s.maxLines));
  }

  /** The container to exec into: given, the only one, or picked. */
  private async containerFor(t: StreamTarget): Promise<string | undefined> {
    if (t.container) return t.container;
    const pod = await this.registry
      .get(t.context)
      .client.getJson<
        Parameters<typeof containerNames>[0]
      >(podPath(t.namespace, t.name), {}, `reading pod "${t.name}" in namespace "${t.namespace}"`);
    const { containers } = containerNames(pod);
    if (containers.length <= 1) return containers[0];
    return vscode.window.showQuickPick(containers, { placeHolder: `Container of pod ${t.name}` });
  }

  async exec(t: StreamTarget, command: readonly string[] | undefined): Promise<TerminalSession | undefined> {
    const container = await this.containerFor(t);
    if (!container) return undefined;
    const interactive = command === undefined;
    await this.guard.confirmChange(
      t.context,
      interactive
        ? `opening a shell in pod "${t.name}" in namespace "${t.namespace}"`
        : `running "${command.join(' ')}" in pod "${t.name}" in namespace "${t.namespace}"`,
    );
    const shell = settings().shell;
    const argv = command ?? (shell ? [shell] : AUTO_SHELL);
    return this.openTerminal(
      t,
      container,
      { kind: 'exec', command: argv, closeOnExit: interactive },
      `${interactive ? 'shell' : 'exec'} ${t.name}/${container}`,
    );
  }

  private openTerminal(t: StreamTarget, container: string, session: ContainerSession, name: string): TerminalSession {
    const client = this.registry.get(t.context).client;
    return this.remember(
      openContainerTerminal(
        client,
        t.context,
        { namespace: t.namespace, pod: t.name, container },
        session,
        name,
        this.log,
      ),
      t.context,
    );
  }

  /** Attaches to the process a container runs; the terminal closing detaches, it does not stop the process. */
  async attach(t: StreamTarget): Promise<TerminalSession | undefined> {
    const container = await this.containerFor(t);
    if (!container) return undefined;
    // What is typed goes to the process's stdin: a change, like exec.
    await this.guard.confirmChange(
      t.context,
      `attaching to container "${container}" of pod "${t.name}" in namespace "${t.namespace}"`,
    );
    return this.openTerminal(t, container, { kind: 'attach' }, `attach ${t.name}/${container}`);
  }

  /**
   * `kubectl debug -it`: adds an ephemeral container (image and target container asked unless given), waits until
   * it runs and opens a terminal attached to it. The container stays in the pod (the API cannot remove one).
   */
  async debug(t: StreamTarget): Promise<TerminalSession | undefined> {
    const client = this.registry.get(t.context).client;
    const image =
      t.image ??
      (await vscode.window.showInputBox({
        title: `Debug pod ${t.name}: image of the debug container`,
        value: 'busybox:1.36',
        validateInput: (v) => (v.trim() ? undefined : 'An image reference, such as busybox:1.36 or nicolaka/netshoot'),
      }));
    if (!image?.trim()) return undefined;
    let target = t.targetContainer;
    if (target === undefined) {
      const pod = await client.getJson<Parameters<typeof containerNames>[0]>(
        podPath(t.namespace, t.name),
        {},
        `reading pod "${t.name}" in namespace "${t.namespace}"`,
      );
      const picked = await vscode.window.showQuickPick(
        [
          ...containerNames(pod).containers.map((c) => ({ label: c, description: 'share its processes (--target)' })),
          { label: '(none)', description: 'a container of its own' },
        ],
        { placeHolder: `Debug pod ${t.name}: target container` },
      );
      if (!picked) return undefined;
      target = picked.label === '(none)' ? '' : picked.label;
    }
    await this.guard.confirmChange(
      t.context,
      `adding a debug container (${image.trim()}) to pod "${t.name}" in namespace "${t.namespace}"`,
    );
    const name = await vscode.window.withProgress(
      {
        location: vscode.ProgressLocation.Notification,
        title: `Starting a debug container in ${t.name}`,
        cancellable: true,
      },
      async (progress, token) => {
        const abort = new AbortController();
        token.onCancellationRequested(() => abort.abort());
        const added = await addDebugContainer(client, {
          namespace: t.namespace,
          pod: t.name,
          image: image.trim(),
          target: target || undefined,
        });
        progress.report({ message: `${added}: waiting for it to run` });
        await waitDebugContainer(client, t.namespace, t.name, added, { signal: abort.signal });
        return added;
      },
    );
    this.log.info(
      'debug',
      `debug container ${name} (${image.trim()}) running in pod ${t.namespace}/${t.name} on ${t.context}`,
    );
    return this.openTerminal(t, name, { kind: 'attach' }, `debug ${t.name}/${name}`);
  }

  /** `kubectl cp pod:path folder`: a file or folder of the container into a local folder (tar over exec). */
  async copyFrom(t: StreamTarget): Promise<{ message: string; files: string[] } | undefined> {
    const container = await this.containerFor(t);
    if (!container) return undefined;
    const remotePath =
      t.remotePath ??
      (await vscode.window.showInputBox({
        title: `File or folder of container ${container} in pod ${t.name} to copy`,
        placeHolder: '/var/log/app.log',
        validateInput: (v) => (v.startsWith('/') ? undefined : 'An absolute path in the container'),
      }));
    if (!remotePath) return undefined;
    containerPath(remotePath);
    const folder = t.localPath
      ? vscode.Uri.file(t.localPath)
      : (
          await vscode.window.showOpenDialog({
            canSelectFiles: false,
            canSelectFolders: true,
            openLabel: 'Copy Here',
            title: `Local folder for ${remotePath}`,
          })
        )?.[0];
    if (!folder) return undefined;
    await this.guard.confirmChange(
      t.context,
      `copying "${remotePath}" from container "${container}" of pod "${t.name}" in namespace "${t.namespace}"`,
    );
    const ref = { namespace: t.namespace, pod: t.name, container };
    const client = this.registry.get(t.context).client;
    const copied = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Copying ${remotePath} from ${t.name}` },
      (progress) =>
        copyFromContainer(client, t.context, ref, remotePath, {
          onBytes: (n) => progress.report({ message: `${(n / 1024).toFixed(0)} KiB` }),
        }),
    );
    const target = (path: string): vscode.Uri => vscode.Uri.joinPath(folder, ...path.split('/'));
    const existing: string[] = [];
    for (const f of copied.files) {
      try {
        await vscode.workspace.fs.stat(target(f.path));
        existing.push(f.path);
      } catch {
        // not there yet
      }
    }
    if (existing.length > 0 && !t.overwrite) {
      const choice = await vscode.window.showWarningMessage(
        `Replace ${existing.length} existing file${existing.length === 1 ? '' : 's'} in ${folder.fsPath}?`,
        { modal: true, detail: existing.slice(0, 20).join('\n') },
        'Replace',
      );
      if (choice !== 'Replace') return undefined;
    }
    for (const dir of copied.directories) await vscode.workspace.fs.createDirectory(target(dir));
    for (const f of copied.files) await vscode.workspace.fs.writeFile(target(f.path), f.data);
    const bytes = copied.files.reduce((n, f) => n + f.data.length, 0);
    const message = `Copied ${copied.files.length} file${copied.files.length === 1 ? '' : 's'} (${(bytes / 1024).toFixed(1)} KiB) from ${t.name}:${remotePath} to ${folder.fsPath}${copied.skipped.length ? `; not copied: ${copied.skipped.join('; ')}` : ''}`;
    this.log.info('copy', message);
    void vscode.window.showInformationMessage(message);
    return { message, files: copied.files.map((f) => f.path) };
  }

  /** `kubectl cp file pod:folder`: one local file into a folder of the container (tar over exec). */
  async copyTo(t: StreamTarget): Promise<{ message: string } | undefined> {
    const container = await this.containerFor(t);
    if (!container) return undefined;
    const file = t.localPath
      ? vscode.Uri.file(t.localPath)
      : (
          await vscode.window.showOpenDialog({
            canSelectMany: false,
            openLabel: 'Copy to Container',
            title: `File to copy into ${t.name}`,
          })
        )?.[0];
    if (!file) return undefined;
    const remoteFolder =
      t.remotePath ??
      (await vscode.window.showInputBox({
        title: `Folder of container ${container} in pod ${t.name} to copy into`,
        value: '/tmp',
        validateInput: (v) => (v.startsWith('/') ? undefined : 'An absolute path in the container'),
      }));
    if (!remoteFolder) return undefined;
    containerPath(remoteFolder);
    const size = (await vscode.workspace.fs.stat(file)).size;
    if (size > MAX_COPY_BYTES)
      throw new Error(`${file.fsPath} is larger than ${MAX_COPY_BYTES / 2 ** 20} MiB: not copied`);
    const name = file.path.split('/').pop() ?? '';
    await this.guard.confirmChange(
      t.context,
      `copying "${name}" into "${remoteFolder}" of container "${container}" of pod "${t.name}" in namespace "${t.namespace}"`,
    );
    const data = Buffer.from(await vscode.workspace.fs.readFile(file));
    const ref = { namespace: t.namespace, pod: t.name, container };
    await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Copying ${name} into ${t.name}:${remoteFolder}` },
      () => copyToContainer(this.registry.get(t.context).client, t.context, ref, { name, data }, remoteFolder),
    );
    const message = `Copied ${name} (${(data.length / 1024).toFixed(1)} KiB) to ${t.name}:${remoteFolder}/${name}`;
    this.log.info('copy', message);
    void vscode.window.showInformationMessage(message);
    return { message };
  }

  /** For a pod, whether there is a previous instance to read (as kubectl's RESTARTS column says). */
  private async previousInstances(t: StreamTarget): Promise<string> {
    const generic = 'the terminated instance before a restart';
    if (t.kind !== 'Pod') return generic;
    type Status = { restartCount?: number; lastState?: { terminated?: { exitCode?: number; reason?: string } } };
    const pod = await this.registry
      .get(t.context)
      .client.getJson<{ status?: { containerStatuses?: Status[]; initContainerStatuses?: Status[] } }>(
        podPath(t.namespace, t.name),
        {},
        `reading pod "${t.name}" in namespace "${t.namespace}"`,
      )
      .catch(() => undefined);
    const statuses = [...(pod?.status?.initContainerStatuses ?? []), ...(pod?.status?.containerStatuses ?? [])];
    if (!pod) return generic;
    const restarts = statuses.reduce((sum, c) => sum + (c.restartCount ?? 0), 0);
    if (restarts === 0) return 'no container of this pod has restarted: there is none';
    const last = statuses.find((c) => c.lastState?.terminated)?.lastState?.terminated;
    const how = last ? `; last exit code ${last.exitCode ?? '?'}${last.reason ? ` (${last.reason})` : ''}` : '';
    return `${restarts} restart${restarts === 1 ? '' : 's'}${how}`;
  }

  private async pickOptions(t: StreamTarget): Promise<StreamTarget | undefined> {
    const s = settings();
    type Item = vscode.QuickPickItem & { id: string };
    const items: Item[] = [
      { id: 'follow', label: 'Follow', description: 'keep reading new lines', picked: true },
      { id: 'timestamps', label: 'Timestamps', picked: s.timestamps },
      { id: 'previous', label: 'Previous container', description: await this.previousInstances(t) },
      { id: 'init', label: 'Init containers', description: 'include them' },
      { id: 'document', label: 'In a document', description: 'instead of a terminal (search, copy, save)' },
    ];
    const picked = await vscode.window.showQuickPick(items, {
      canPickMany: true,
      title: `Logs of ${t.kind} ${t.name}`,
      placeHolder: 'Options',
    });
    if (!picked) return undefined;
    const on = new Set(picked.map((p) => p.id));
    const tail = await vscode.window.showInputBox({
      title: 'Lines from the end (empty: all)',
      value: String(s.tailLines),
      validateInput: (v) => (v === '' || /^\d+$/.test(v) ? undefined : 'A number of lines, or empty'),
    });
    if (tail === undefined) return undefined;
    const since = await vscode.window.showInputBox({
      title: 'Since (a duration such as 30s, 15m, 2h; empty: from the start)',
      validateInput: (v) => (v === '' || /^\d+[smh]$/.test(v) ? undefined : 'Like 30s, 15m or 2h'),
    });
    if (since === undefined) return undefined;
    const unit = { s: 1, m: 60, h: 3600 }[since.slice(-1) as 's' | 'm' | 'h'];
    return {
      ...t,
      target: on.has('document') ? 'document' : 'terminal',
      options: {
        follow: on.has('follow'),
        timestamps: on.has('timestamps'),
        previous: on.has('previous'),
        includeInit: on.has('init'),
        tailLines: tail === '' ? undefined : Number(tail),
        sinceSeconds: since === '' ? undefined : Number(since.slice(0, -1)) * (unit ?? 1),
      },
    };
  }

  commands(): CommandTable<StreamCommand> {
    return {
      [Commands.followLogs]: {
        title: 'following the logs',
        run: (arg) => this.followLogs(required(arg, 'logs'), 'terminal'),
      },
      [Commands.openLogs]: {
        title: 'opening the logs',
        run: (arg) => this.followLogs(required(arg, 'logs'), 'document'),
      },
      [Commands.logsWithOptions]: {
        title: 'showing the logs',
        run: async (arg) => {
          const given = required(arg, 'logs');
          const t = given.options ? given : await this.pickOptions(given);
          if (t) return this.followLogs(t, t.target ?? 'terminal');
          return undefined;
        },
      },
      [Commands.exec]: {
        title: 'opening a shell',
        run: (arg) => this.exec(required(arg, 'exec'), undefined),
      },
      [Commands.execCommand]: {
        title: 'running a command',
        run: async (arg) => {
          const t = required(arg, 'exec');
          let command = t.command;
          if (!command) {
            const text = await vscode.window.showInputBox({
              title: `Command to run in pod ${t.name}`,
              prompt: 'The program and its arguments, separated by spaces (no shell: use sh -c "…" for one)',
              placeHolder: 'ls -la /',
            });
            if (!text?.trim()) return undefined;
            command = splitArgs(text);
          }
          return this.exec(t, command);
        },
      },
      [Commands.copyFromPod]: {
        title: 'copying from a container',
        run: (arg) => this.copyFrom(required(arg, 'exec')),
      },
      [Commands.copyToPod]: {
        title: 'copying into a container',
        run: (arg) => this.copyTo(required(arg, 'exec')),
      },
      [Commands.debugContainer]: {
        title: 'starting a debug container',
        run: (arg) => this.debug(required(arg, 'debug')),
      },
      [Commands.attach]: {
        title: 'attaching to a container',
        run: (arg) =>
          this.attach(arg === undefined ? (activePodTarget() ?? required(arg, 'attach')) : required(arg, 'attach')),
      },
    };
  }
}
