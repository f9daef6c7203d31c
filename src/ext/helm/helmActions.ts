import * as vscode from 'vscode';
import { stringify } from 'yaml';
import type { SessionRegistry } from '../../core/watch/clusterSession';
import type { KubeconfigService } from '../../core/kube/kubeconfigService';
import { KubeError } from '../../core/kube/errors';
import {
  HelmCliError,
  findHelm,
  HELM_NOT_INSTALLED,
  rollbackArgs,
  runHelm,
  uninstallArgs,
  type HelmTarget,
} from '../../core/helm/helmCli';
import { listRevisions, readRevision, type RevisionEntry } from '../../core/helm/releaseApi';
import { chartLabel, type HelmRelease, type StorageKind } from '../../core/helm/release';
import { Commands, DocumentSchemes } from '../ids';
import type { CommandTable } from '../registerCommands';
import type { Guard } from '../guard';
import type { OutputLogger } from '../log';
import { Cancelled } from '../errors';
import { config } from '../config';
import { accessSync, constants, statSync } from 'node:fs';

export type HelmCommand =
  | typeof Commands.helmOpenValues
  | typeof Commands.helmOpenManifest
  | typeof Commands.helmOpenNotes
  | typeof Commands.helmHistory
  | typeof Commands.helmDiff
  | typeof Commands.helmRollback
  | typeof Commands.helmUninstall;

/** A release in a context: a tree item, or (scripts and tests) `{ context, namespace, release }`. */
export interface ReleaseTarget {
  readonly context: string;
  readonly namespace: string;
  readonly release: string;
  /** The latest revision, when the caller knows it (a tree item does). */
  readonly latest?: number;
  /** Where its records are (a tree item knows). */
  readonly storage?: StorageKind;
}

export type ReleasePart = 'values' | 'manifest' | 'notes';
const FILES: Record<ReleasePart, string> = { values: 'values.yaml', manifest: 'manifest.yaml', notes: 'notes.txt' };

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

export function releaseTargetOf(arg: unknown): ReleaseTarget | undefined {
  if (typeof arg !== 'object' || arg === null) return undefined;
  const a = arg as Record<string, unknown>;
  if (a.type === 'helmRelease') {
    const summary = a.summary as { latest?: { revision?: number; storage?: StorageKind } } | undefined;
    const context = str(a.context);
    const namespace = str(a.namespace);
    const release = str(a.release);
    if (context && namespace && release)
      return { context, namespace, release, latest: summary?.latest?.revision, storage: summary?.latest?.storage };
    return undefined;
  }
  const context = str(a.context);
  const namespace = str(a.namespace);
  const release = str(a.release);
  return context && namespace && release ? { context, namespace, release } : undefined;
}

function required(arg: unknown): ReleaseTarget {
  const target = releaseTargetOf(arg);
  if (!target) throw new KubeError('invalid', 'Choose a Helm release in the Clusters view first');
  return target;
}

/** The read-only document of one part of one revision. */
export function helmUri(target: ReleaseTarget, revision: number, part: ReleasePart): vscode.Uri {
  const segments = [target.context, target.namespace, target.release, String(revision)].map(encodeURIComponent);
  return vscode.Uri.from({ scheme: DocumentSchemes.helm, path: `/${segments.join('/')}/${FILES[part]}` });
}

export function parseHelmUri(uri: vscode.Uri): { target: ReleaseTarget; revision: number; part: ReleasePart } {
  const parts = uri.path.split('/').slice(1);
  const part = (Object.keys(FILES) as ReleasePart[]).find((p) => FILES[p] === parts[4]);
  const revision = Number(parts[3]);
  if (parts.length !== 5 || !part || !Number.isInteger(revision))
    throw new KubeError('invalid', `Not a Helm release document: ${uri.toString()}`);
  const [context, namespace, release] = parts.slice(0, 3).map(decodeURIComponent) as [string, string, string];
  return { target: { context, namespace, release }, revision, part };
}

export function partText(release: HelmRelease, part: ReleasePart): string {
  switch (part) {
    case 'values':
      return Object.keys(release.values).length === 0 ? '{}\n' : stringify(release.values);
    case 'manifest':
      return release.manifest;
    case 'notes':
      return release.notes || '(this revision has no notes)\n';
  }
}

/** How a change is confirmed: a modal naming the context by default; tests pass their own. */
export type Confirm = (question: string, detail: string, action: string) => Thenable<boolean>;

const modal: Confirm = (question, detail, action) =>
  vscode.window.showWarningMessage(question, { modal: true, detail }, action).then((c) => c === action);

export interface HelmChangeResult {
  readonly message: string;
  /** Helm's own output. */
  readonly output: string;
}

/**
 * Helm releases: their values, manifests and notes as read-only documents, history and diffs (all read from the
 * release records, no helm binary), and rollback and uninstall, which run helm itself (argument arrays, no
 * shell) after the production guard and a confirmation.
 */
export class HelmActions implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly sessions: SessionRegistry,
    private readonly kubeconfig: KubeconfigService,
    private readonly guard: Guard,
    private readonly log: OutputLogger,
  ) {
    this.disposables.push(
      vscode.workspace.registerTextDocumentContentProvider(DocumentSchemes.helm, {
        provideTextDocumentContent: async (uri) => {
          const { target, revision, part } = parseHelmUri(uri);
          return partText(await this.read(target, revision), part);
        },
      }),
    );
  }

  read(target: ReleaseTarget, revision: number): Promise<HelmRelease> {
    return readRevision(this.sessions.get(target.context).client, target, revision);
  }

  revisions(target: ReleaseTarget): Promise<RevisionEntry[]> {
    return listRevisions(this.sessions.get(target.context).client, target);
  }

  private async latest(target: ReleaseTarget): Promise<number> {
    if (target.latest) return target.latest;
    const newest = (await this.revisions(target))[0];
    if (!newest) throw new KubeError('notFound', `Helm release ${target.namespace}/${target.release} has no revisions`);
    return newest.revision;
  }

  /** Opens one part of a revision (the latest unless given) as a read-only document. */
  async open(target: ReleaseTarget, part: ReleasePart, revision?: number): Promise<vscode.TextEditor> {
    const uri = helmUri(target, revision ?? (await this.latest(target)), part);
    const doc = await vscode.workspace.openTextDocument(uri);
    return vscode.window.showTextDocument(doc, { preview: true });
  }

  /** Values and manifest of two revisions, each as a diff (older on the left). */
  async diff(target: ReleaseTarget, a: number, b: number): Promise<{ values: vscode.Uri[]; manifest: vscode.Uri[] }> {
    const [from, to] = a < b ? [a, b] : [b, a];
    const out = { values: [] as vscode.Uri[], manifest: [] as vscode.Uri[] };
    for (const part of ['values', 'manifest'] as const) {
      const left = helmUri(target, from, part);
      const right = helmUri(target, to, part);
      out[part] = [left, right];
      await vscode.commands.executeCommand(
        'vscode.diff',
        left,
        right,
        `${target.release}: ${part} of revision ${from} ↔ ${to}`,
        { preview: false },
      );
    }
    return out;
  }

  private async helmTarget(target: ReleaseTarget): Promise<HelmTarget> {
    const merged = this.kubeconfig.current;
    if (!merged.contexts.some((c) => c.name === target.context))
      throw new KubeError('config', `Context ${target.context} is not in the kubeconfig`);
    // helm reads one storage driver (HELM_DRIVER): the one that holds this release's records.
    const storage = target.storage ?? (await this.revisions(target))[0]?.storage ?? 'secret';
    return {
      context: target.context,
      namespace: target.namespace,
      release: target.release,
      kubeconfigFiles: merged.files,
      storage,
    };
  }

  /**
   * Runs a helm change: the production guard first (read-only contexts refuse before anything is asked or run),
   * then helm must be on PATH (or nothing happens, and the user is told to install it), then the confirmation,
   * then the guard again (the setting may have changed while the dialog was open), then helm.
   */
  private async change(
    target: ReleaseTarget,
    what: string,
    args: (t: HelmTarget) => string[],
    confirm: Confirm,
    action: string,
    detail: string,
  ): Promise<HelmChangeResult | undefined> {
    // The dialog below names the context, so a "confirm" context asks once, there.
    await this.guard.confirmChange(target.context, what, true);
    const helmTarget = await this.helmTarget(target);
    const argv = wrap(() => args(helmTarget));
    const helm = helmBinary();
    const question = `${capital(what)} on context "${target.context}"?`;
    if (!(await confirm(question, detail, action))) throw new Cancelled();
    this.guard.rule.assertMayChange(target.context, what);
    this.log.info('helm', `running ${helm} ${argv.join(' ')}`);
    try {
      const run = await runHelm(argv, helmTarget, { helmPath: helm });
      const output = run.stdout.trim();
      this.log.info('helm', output);
      return { message: `${capital(what)}: done`, output };
    } catch (err) {
      throw err instanceof HelmCliError ? new KubeError('other', err.message, undefined, { cause: err }) : err;
    }
  }

  /** `helm rollback <release> <revision>`; without a revision, the one before the latest (as helm does). */
  async rollback(
    target: ReleaseTarget,
    revision: number | undefined,
    options: { confirm?: Confirm } = {},
  ): Promise<HelmChangeResult | undefined> {
    const to = revision ?? (await this.latest(target)) - 1;
    const what = `rolling back Helm release ${target.namespace}/${target.release} to revision ${to}`;
    return this.change(
      target,
      what,
      (t) => rollbackArgs(t, to),
      options.confirm ?? modal,
      'Roll Back',
      `helm rollback ${target.release} ${to} --namespace ${target.namespace} --kube-context ${target.context}: a new revision with revision ${to}'s chart and values, hooks run by helm.`,
    );
  }

  /** `helm uninstall <release>`: deletes the release's objects and its records (hooks run by helm). */
  async uninstall(target: ReleaseTarget, options: { confirm?: Confirm } = {}): Promise<HelmChangeResult | undefined> {
    const what = `uninstalling Helm release ${target.namespace}/${target.release}`;
    return this.change(
      target,
      what,
      (t) => uninstallArgs(t),
      options.confirm ?? modal,
      'Uninstall',
      `helm uninstall ${target.release} --namespace ${target.namespace} --kube-context ${target.context}: deletes every object of the release and its history.`,
    );
  }

  private async pickRevision(
    target: ReleaseTarget,
    placeHolder: string,
    exclude?: number,
  ): Promise<RevisionEntry | undefined> {
    const entries = (await this.revisions(target)).filter((e) => e.revision !== exclude);
    if (entries.length === 0) throw new KubeError('notFound', `No other revision of ${target.release} is stored`);
    const picked = await vscode.window.showQuickPick(
      entries.map((entry) => ({
        label: `Revision ${entry.revision}`,
        description: entry.error
          ? 'cannot be read'
          : [entry.status, chartLabel(entry.release!), entry.release!.appVersion].filter(Boolean).join(' · '),
        detail: entry.error ?? [entry.release!.updated, entry.release!.description].filter(Boolean).join(' · '),
        entry,
      })),
      { placeHolder },
    );
    return picked?.entry;
  }

  /** History: the stored revisions in a quick pick; a picked one offers its documents, a diff and a rollback. */
  async history(target: ReleaseTarget): Promise<void> {
    const entry = await this.pickRevision(target, `Revisions of ${target.release} (newest first)`);
    if (!entry) return;
    const latest = await this.latest(target);
    const actions = [
      { label: 'Open Values', run: () => this.open(target, 'values', entry.revision) },
      { label: 'Open Manifest', run: () => this.open(target, 'manifest', entry.revision) },
      { label: 'Open Notes', run: () => this.open(target, 'notes', entry.revision) },
      ...(entry.revision !== latest
        ? [
            { label: `Diff with Revision ${latest} (latest)`, run: () => this.diff(target, entry.revision, latest) },
            { label: 'Roll Back to This Revision…', run: () => this.rollback(target, entry.revision) },
          ]
        : []),
    ];
    const action = await vscode.window.showQuickPick(actions, { placeHolder: `Revision ${entry.revision}` });
    await action?.run();
  }

  commands(): CommandTable<HelmCommand> {
    type Revisions = { revision?: number; from?: number; to?: number };
    const opts = (arg: unknown): Revisions => (typeof arg === 'object' && arg !== null ? (arg as Revisions) : {});
    return {
      [Commands.helmOpenValues]: {
        title: 'opening the release values',
        run: (arg, o) => this.open(required(arg), 'values', opts(o).revision),
      },
      [Commands.helmOpenManifest]: {
        title: 'opening the release manifest',
        run: (arg, o) => this.open(required(arg), 'manifest', opts(o).revision),
      },
      [Commands.helmOpenNotes]: {
        title: 'opening the release notes',
        run: (arg, o) => this.open(required(arg), 'notes', opts(o).revision),
      },
      [Commands.helmHistory]: {
        title: 'showing the release history',
        run: (arg) => this.history(required(arg)),
      },
      [Commands.helmDiff]: {
        title: 'comparing two revisions',
        run: async (arg, o) => {
          const target = required(arg);
          let { from, to } = opts(o);
          if (from === undefined || to === undefined) {
            const first = await this.pickRevision(target, 'First revision to compare');
            if (!first) return undefined;
            const second = await this.pickRevision(target, `Compare revision ${first.revision} with`, first.revision);
            if (!second) return undefined;
            [from, to] = [first.revision, second.revision];
          }
          return this.diff(target, from, to);
        },
      },
      [Commands.helmRollback]: {
        title: 'rolling back the release',
        run: async (arg, o) => {
          const target = required(arg);
          let { revision } = opts(o);
          if (revision === undefined) {
            // Refused on a read-only context before any picker is shown.
            this.guard.rule.assertMayChange(target.context, `rolling back Helm release ${target.release}`);
            const latest = await this.latest(target);
            const picked = await this.pickRevision(target, `Roll ${target.release} back to`, latest);
            if (!picked) return undefined;
            revision = picked.revision;
          }
          const result = await this.rollback(target, revision);
          if (result) void vscode.window.showInformationMessage(`${result.message}. ${result.output}`);
          return result;
        },
      },
      [Commands.helmUninstall]: {
        title: 'uninstalling the release',
        run: async (arg) => {
          const result = await this.uninstall(required(arg));
          if (result) void vscode.window.showInformationMessage(`${result.message}. ${result.output}`);
          return result;
        },
      },
    };
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}

/** The helm to run: the `kubeWorkbench.helm.path` setting, else the first `helm` on PATH; or why there is none. */
function helmBinary(): string {
  const configured = config.helmPath();
  if (!configured) {
    const found = findHelm();
    if (!found) throw new KubeError('config', HELM_NOT_INSTALLED);
    return found;
  }
  try {
    if (!statSync(configured).isFile()) throw new Error('not a file');
    if (process.platform !== 'win32') accessSync(configured, constants.X_OK);
  } catch {
    throw new KubeError(
      'config',
      `The helm binary set in kubeWorkbench.helm.path ("${configured}") is not an executable file. Nothing was changed.`,
    );
  }
  return configured;
}

function capital(text: string): string {
  return `${text[0]?.toUpperCase() ?? ''}${text.slice(1)}`;
}

function wrap<T>(run: () => T): T {
  try {
    return run();
  } catch (err) {
    throw err instanceof HelmCliError ? new KubeError('invalid', err.message, undefined, { cause: err }) : err;
  }
}
