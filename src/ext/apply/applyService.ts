import * as path from 'node:path';
import * as vscode from 'vscode';
import { planApply, type PlannedDoc } from '../../core/apply/applyPlan';
import { KUSTOMIZATION_FILES, kustomizeBuild } from '../../core/apply/kustomize';
import { splitManifests, type ManifestDoc } from '../../core/apply/manifestFiles';
import { config } from '../config';
import {
  applyPlanned,
  countsOf,
  deletePlanned,
  previewPlanned,
  reportLines,
  summaryOf,
  type ApplyReport,
  type DocResult,
} from '../../core/apply/serverSideApply';
import { discoverResources, type ApiResource } from '../../core/kube/discovery';
import { KubeError, toKubeError } from '../../core/kube/errors';
import type { KubeconfigService } from '../../core/kube/kubeconfigService';
import type { SessionRegistry } from '../../core/watch/clusterSession';
import { PREFIX } from '../ids';
import { isGuardRefusal, type Guard } from '../guard';
import type { OutputLogger } from '../log';
import type { WindowState } from '../windowState';
import type { ObjectRef } from '../../core/resources/objectRef';
import type { FollowedRollout, RolloutActions } from '../rollout/rolloutCommands';

/** Read-only texts of apply previews (`/<id>/live/<name>` and `/<id>/dry-run/<name>`). */
export const PREVIEW_SCHEME = `${PREFIX}-preview`;
/** Read-only apply reports. */
export const REPORT_SCHEME = `${PREFIX}-report`;

export type ConfirmForce = (conflicts: readonly DocResult[], context: string) => Promise<boolean>;

export interface ApplyCallOptions {
  /** The context to apply to; the window's context when not given. */
  readonly context?: string;
  /** Asked before forcing fields that other managers own; the modal dialog unless a caller (a test) brings its own. */
  readonly confirmForce?: ConfirmForce;
  /** Asked before deleting; the modal dialog unless a caller brings its own. */
  readonly confirmDelete?: (question: string, detail: string) => Thenable<boolean>;
  /** Whether to show the report notification (default true). */
  readonly notify?: boolean;
  /**
   * The rollouts this apply starts (workloads created, or whose pod template changed): offered as "Follow
   * Rollout" in the notification when not given; followed right away when true (scripts, tests); never when false.
   */
  readonly followRollouts?: boolean;
}

/** An apply's report, with the rollouts followed after it when the caller asked for that. */
export interface AppliedReport extends ApplyReport {
  readonly rollouts?: readonly FollowedRollout[];
}

/** The workloads whose rollout an apply started, in the report's order. */
export function rolloutTargets(report: ApplyReport): ObjectRef[] {
  return report.results.flatMap((r) => (r.startsRollout && r.planned.ref ? [r.planned.ref] : []));
}

/** What a preview showed: the documents as they were read then, applied as they are if nothing changed since. */
interface Preview {
  readonly uris: readonly vscode.Uri[];
  readonly context: string;
  readonly read: ReadManifests;
}

interface ReadManifests {
  readonly docs: ManifestDoc[];
  readonly files: Map<string, vscode.Uri>;
}

const YAML_FILE = /\.ya?ml$/i;
const SKIP_FOLDERS = new Set(['node_modules', '.git']);
/** A folder apply reads at most this many files, this many folders deep (a folder is not a file system to crawl). */
const MAX_FOLDER_FILES = 2_000;
const MAX_FOLDER_DEPTH = 20;

/** What the documents say, to tell whether the files changed between a preview and its apply. */
function fingerprint(read: ReadManifests): string {
  return JSON.stringify(read.docs.map((d) => [d.source, d.index, d.object ?? d.error]));
}

/**
 * Apply, preview (server-side dry run as a diff), and delete what manifest files and folders describe. Every
 * change goes through the guard; Secret values never reach the log, the report or a notification.
 */
export class ApplyService implements vscode.Disposable {
  private readonly texts = new Map<string, string>();
  private readonly previews = new Map<string, Preview>();
  private readonly diagnostics = vscode.languages.createDiagnosticCollection(`${PREFIX}.apply`);
  private readonly disposables: vscode.Disposable[] = [];
  private counter = 0;

  constructor(
    private readonly sessions: SessionRegistry,
    private readonly state: WindowState,
    private readonly kubeconfig: KubeconfigService,
    private readonly guard: Guard,
    private readonly log: OutputLogger,
    private readonly rollouts: RolloutActions,
  ) {
    const provider: vscode.TextDocumentContentProvider = {
      provideTextDocumentContent: (uri) => this.texts.get(uri.toString()) ?? '',
    };
    this.disposables.push(
      this.diagnostics,
      vscode.workspace.registerTextDocumentContentProvider(PREVIEW_SCHEME, provider),
      vscode.workspace.registerTextDocumentContentProvider(REPORT_SCHEME, provider),
    );
  }

  // ── commands ──────────────────────────────────────────────────────────────────────────────────────────

  /** Server-side applies every document of the files and folders; returns the report (undefined if declined). */
  async apply(uris: readonly vscode.Uri[], options: ApplyCallOptions = {}): Promise<AppliedReport | undefined> {
    return this.applyRead(uris, await this.read(uris), options);
  }

  private async applyRead(
    uris: readonly vscode.Uri[],
    { docs, files }: ReadManifests,
    options: ApplyCallOptions,
  ): Promise<AppliedReport | undefined> {
    const context = this.contextOf(options);
    const plan = await this.plan(docs, context);
    await this.guardChange(context, `applying ${plural(plan.length, 'document')} from ${this.label(uris)}`);
    const session = this.sessions.get(context);
    const confirmForce = options.confirmForce ?? ((conflicts, ctx) => this.askForce(conflicts, ctx));
    const report = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Applying to ${context}`, cancellable: true },
      async (progress, token) => {
        const abort = new AbortController();
        const sub = token.onCancellationRequested(() => abort.abort());
        let done = 0;
        try {
          return await applyPlanned(session.client, plan, context, {
            signal: abort.signal,
            confirmForce: (conflicts) => confirmForce(conflicts, context),
            onResult: () => progress.report({ message: `${++done} of ${plan.length}`, increment: 100 / plan.length }),
          });
        } finally {
          sub.dispose();
        }
      },
    );
    const targets = rolloutTargets(report);
    if (targets.length > 0) {
      this.log.info(
        'apply',
        `the apply on ${context} started the rollout of ${targets.map((r) => `${r.kind ?? r.plural} ${r.namespace ?? ''}/${r.name}`).join(', ')}`,
      );
    }
    const offer = options.followRollouts === undefined ? targets : [];
    this.publish(report, files, 'Apply', options.notify ?? true, offer);
    if (options.followRollouts === true && targets.length > 0) {
      return { ...report, rollouts: await this.rollouts.followAll(targets) };
    }
    return report;
  }

  /** Dry-runs the documents on the server and shows live ↔ result as a diff, with an Apply button. */
  async preview(
    uris: readonly vscode.Uri[],
    options: ApplyCallOptions = {},
  ): Promise<{ left: vscode.Uri; right: vscode.Uri }> {
    const context = this.contextOf(options);
    const read = await this.read(uris);
    const name = uris.length === 1 ? path.basename(uris[0]!.path) : 'manifests.yaml';
    const shown = await this.previewRead(read, context, this.namespaceFor(context), name, this.label(uris));
    this.previews.set(shown.id, { uris, context, read });
    return { left: shown.left, right: shown.right };
  }

  /**
   * Dry-runs documents that are not files of the workspace (a chart's `helm template` output) into `namespace`
   * and shows the same per-document diff. Nothing is written, and the diff cannot be applied from here.
   */
  async previewDocuments(
    docs: ManifestDoc[],
    target: { context: string; namespace: string; name: string; label: string; notApplicable: string },
    files: Map<string, vscode.Uri> = new Map(),
  ): Promise<{ left: vscode.Uri; right: vscode.Uri; report: ApplyReport }> {
    const context = this.contextOf({ context: target.context });
    const shown = await this.previewRead({ docs, files }, context, target.namespace, target.name, target.label);
    this.notApplicable.set(shown.id, target.notApplicable);
    return shown;
  }

  /** Previews that are not applied from the diff, with the reason. */
  private readonly notApplicable = new Map<string, string>();

  private async previewRead(
    read: ReadManifests,
    context: string,
    namespace: string,
    name: string,
    label: string,
  ): Promise<{ id: string; left: vscode.Uri; right: vscode.Uri; report: ApplyReport }> {
    const { docs, files } = read;
    const plan = await this.plan(docs, context, namespace);
    const previews = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Dry run on ${context}` },
      () => previewPlanned(this.sessions.get(context).client, plan, context),
    );
    const id = String(++this.counter);
    const header = (p: PlannedDoc): string =>
      `# ${p.doc.source} document ${p.doc.index}: ${p.kind} ${p.ref?.namespace ? `${p.ref.namespace}/` : ''}${p.ref?.name ?? ''}`;
    const leftParts: string[] = [];
    const rightParts: string[] = [];
    for (const p of previews) {
      const failed = ['failed', 'skipped'].includes(p.result.status) || (p.result.status === 'conflict' && !p.right);
      const note =
        p.result.status === 'conflict'
          ? `# ${p.result.message ?? 'conflict'}\n# Apply asks before taking these fields over.\n`
          : '';
      leftParts.push(`${header(p.planned)}\n${p.left || '# (does not exist on the cluster)\n'}`);
      rightParts.push(
        `${header(p.planned)}\n${failed ? `# ${p.result.status.toUpperCase()}: ${p.result.message ?? ''}\n` : `${note}${p.right}`}`,
      );
    }
    const left = vscode.Uri.from({ scheme: PREVIEW_SCHEME, path: `/${id}/live/${name}` });
    const right = vscode.Uri.from({ scheme: PREVIEW_SCHEME, path: `/${id}/dry-run/${name}` });
    this.texts.set(left.toString(), leftParts.join('---\n'));
    this.texts.set(right.toString(), rightParts.join('---\n'));
    const report: ApplyReport = { context, dryRun: true, results: previews.map((p) => p.result) };
    this.log.info('apply', `preview of ${label} on ${context}: ${summaryOf(report)}`);
    this.setDiagnostics(report, files);
    await vscode.commands.executeCommand('vscode.diff', left, right, `${name}: ${context} ↔ after apply (dry run)`, {
      preview: false,
    } satisfies vscode.TextDocumentShowOptions);
    return { id, left, right, report };
  }

  /** Applies what a preview diff shows (the same files, to the same context). */
  async applyFromPreview(
    uri: vscode.Uri | undefined,
    options: ApplyCallOptions = {},
  ): Promise<ApplyReport | undefined> {
    const target = uri ?? vscode.window.activeTextEditor?.document.uri;
    const id = target?.scheme === PREVIEW_SCHEME ? target.path.split('/')[1] : undefined;
    const why = id ? this.notApplicable.get(id) : undefined;
    if (why) throw new Error(why);
    const preview = id ? this.previews.get(id) : undefined;
    if (!preview) throw new Error('Open an apply preview (Preview Apply) first; this one is no longer known');
    // What is applied is what the preview showed: if the files say something else now, nothing is applied.
    if (fingerprint(await this.read(preview.uris)) !== fingerprint(preview.read)) {
      throw new Error(
        `${this.label(preview.uris)} changed since the preview; nothing was applied. Preview again to see what would be applied.`,
      );
    }
    return this.applyRead(preview.uris, preview.read, { context: preview.context, ...options });
  }

  /** Deletes the object of every document, after a confirmation naming the context and the objects. */
  async deleteFromManifest(
    uris: readonly vscode.Uri[],
    options: ApplyCallOptions = {},
  ): Promise<ApplyReport | undefined> {
    const context = this.contextOf(options);
    const { docs, files } = await this.read(uris);
    const plan = await this.plan(docs, context);
    const targets = plan.filter((p) => p.ref);
    if (targets.length === 0) throw new Error(`${this.label(uris)} names no object that can be deleted`);
    if (this.guard.policy(context) === 'readOnly') await this.guardChange(context, 'deleting objects');
    const label = (t: PlannedDoc): string =>
      `${t.kind} ${t.ref!.namespace ? `${t.ref!.namespace}/` : ''}${t.ref!.name}`;
    const question = `Delete ${plural(targets.length, 'object')} of ${this.label(uris)} from context "${context}"?`;
    let chosen: readonly PlannedDoc[] = targets;
    if (options.confirmDelete) {
      // Scripts and tests: every object is named, one per line, however many there are.
      const detail = `${targets.map(label).join('\n')}\n\nThis cannot be undone from Kube Workbench.`;
      if (!(await options.confirmDelete(question, detail))) return undefined;
    } else {
      // Every object in a list that scrolls (a modal would cut it): all checked, uncheck what to keep.
      const picked = await vscode.window.showQuickPick(
        targets.map((t) => ({ label: label(t), description: `${t.doc.source}:${t.doc.startLine}`, picked: true, t })),
        {
          canPickMany: true,
          title: question,
          placeHolder: `All ${targets.length} are checked: uncheck what to keep, then press Enter`,
          ignoreFocusOut: true,
        },
      );
      if (!picked || picked.length === 0) return undefined;
      chosen = picked.map((p) => p.t);
      const sure = await vscode.window.showWarningMessage(
        `Delete ${plural(chosen.length, 'object')} from context "${context}"?`,
        { modal: true, detail: 'This cannot be undone from Kube Workbench.' },
        'Delete',
      );
      if (sure !== 'Delete') return undefined;
    }
    const keep = new Set(chosen);
    const planned = plan.filter((p) => !p.ref || keep.has(p));
    const report = await deletePlanned(this.sessions.get(context).client, planned, context);
    this.publish(report, files, 'Delete', options.notify ?? true);
    return report;
  }

  /** Asks for a context (Apply to...). */
  async pickContext(): Promise<string | undefined> {
    const current = this.state.context;
    const picked = await vscode.window.showQuickPick(
      this.kubeconfig.current.contexts.map((c) => ({
        label: c.name,
        description: [
          c.name === current ? 'current in this window' : undefined,
          this.guard.policy(c.name) === 'readOnly' ? 'read-only' : undefined,
        ]
          .filter(Boolean)
          .join(' · '),
        detail: c.server,
      })),
      { placeHolder: 'Apply to which context?' },
    );
    return picked?.label;
  }

  /** The text of the last report opened (for tests). */
  textOf(uri: vscode.Uri): string | undefined {
    return this.texts.get(uri.toString());
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
    this.texts.clear();
    this.previews.clear();
    this.notApplicable.clear();
  }

  // ── internals ─────────────────────────────────────────────────────────────────────────────────────────

  private contextOf(options: ApplyCallOptions): string {
    const context = options.context ?? this.state.context;
    if (!context) throw new Error('No context is defined in the kubeconfig');
    if (!this.kubeconfig.current.contexts.some((c) => c.name === context))
      throw new Error(`Context "${context}" is not in the kubeconfig`);
    return context;
  }

  private namespaceFor(context: string): string {
    if (context === this.state.context) return this.state.namespace;
    return this.kubeconfig.current.contexts.find((c) => c.name === context)?.namespace ?? 'default';
  }

  private async guardChange(context: string, what: string): Promise<void> {
    try {
      await this.guard.confirmChange(context, what);
    } catch (err) {
      if (isGuardRefusal(err)) {
        void vscode.window.showErrorMessage(err.message);
        throw new vscode.CancellationError();
      }
      throw err;
    }
  }

  private label(uris: readonly vscode.Uri[]): string {
    return uris.length === 1 ? vscode.workspace.asRelativePath(uris[0]!, false) : `${uris.length} files`;
  }

  /** The documents of the files, and of the YAML files in the folders (sorted by path). Open files: their text. */
  private async read(uris: readonly vscode.Uri[]): Promise<{ docs: ManifestDoc[]; files: Map<string, vscode.Uri> }> {
    const files: vscode.Uri[] = [];
    const docs: ManifestDoc[] = [];
    const sources = new Map<string, vscode.Uri>();
    for (const uri of uris) {
      // A kustomization is what `kustomize build` makes of it, never its files one by one (patches, bases).
      const kustomization = await this.kustomizationOf(uri);
      if (kustomization) {
        const built = await this.kustomizeBuild(kustomization);
        docs.push(
          ...splitManifests(built, `${vscode.workspace.asRelativePath(kustomization, false)} (kustomize build)`),
        );
        continue;
      }
      const stat = await vscode.workspace.fs.stat(uri);
      if (stat.type & vscode.FileType.Directory) files.push(...(await this.yamlFilesIn(uri)));
      else files.push(uri);
    }
    if (files.length === 0 && docs.length === 0) throw new Error(`${this.label(uris)} holds no .yaml or .yml files`);
    for (const file of files) {
      const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === file.toString());
      const text = open ? open.getText() : Buffer.from(await vscode.workspace.fs.readFile(file)).toString('utf8');
      const source = vscode.workspace.asRelativePath(file, false);
      sources.set(source, file);
      docs.push(...splitManifests(text, source));
    }
    if (docs.length === 0) throw new Error(`${this.label(uris)} holds no Kubernetes documents`);
    return { docs, files: sources };
  }

  /** The folder of a kustomization: `uri` itself (a folder holding one) or the folder of a kustomization file. */
  async kustomizationOf(uri: vscode.Uri): Promise<vscode.Uri | undefined> {
    const name = uri.path.split('/').pop() ?? '';
    if (KUSTOMIZATION_FILES.includes(name)) return vscode.Uri.joinPath(uri, '..');
    try {
      if (!((await vscode.workspace.fs.stat(uri)).type & vscode.FileType.Directory)) return undefined;
      const entries = await vscode.workspace.fs.readDirectory(uri);
      return entries.some(([n, type]) => KUSTOMIZATION_FILES.includes(n) && type & vscode.FileType.File)
        ? uri
        : undefined;
    } catch {
      return undefined;
    }
  }

  /**
   * `kustomize build` of a folder with the user's kustomize. Only in a trusted workspace: a kustomization names
   * files to read and remote bases to fetch.
   */
  async kustomizeBuild(folder: vscode.Uri): Promise<string> {
    if (!vscode.workspace.isTrusted) {
      throw new Error(
        `kustomize runs only in a trusted workspace (a kustomization names files to read and remote bases to fetch): ${vscode.workspace.asRelativePath(folder, false)} was not built`,
      );
    }
    const text = await kustomizeBuild(folder.fsPath, { program: config.kustomizePath() });
    this.log.info(
      'apply',
      `kustomize build ${vscode.workspace.asRelativePath(folder, false)}: ${text.length} characters`,
    );
    return text;
  }

  /**
   * The YAML files of a folder, in path order. Symbolic links are not followed (a link can point back up, or out of
   * the folder the user chose), and the walk is bounded in files and depth.
   */
  private async yamlFilesIn(folder: vscode.Uri, depth = 0, out: vscode.Uri[] = []): Promise<vscode.Uri[]> {
    if (depth > MAX_FOLDER_DEPTH) return out;
    const entries = (await vscode.workspace.fs.readDirectory(folder)).sort(([a], [b]) => a.localeCompare(b));
    for (const [name, type] of entries) {
      if (out.length >= MAX_FOLDER_FILES) {
        throw new Error(
          `${vscode.workspace.asRelativePath(folder, false)} holds more than ${MAX_FOLDER_FILES} YAML files; apply a smaller folder`,
        );
      }
      const child = vscode.Uri.joinPath(folder, name);
      if (type & vscode.FileType.SymbolicLink) {
        this.log.info('apply', `${vscode.workspace.asRelativePath(child, false)} is a symbolic link: not followed`);
      } else if (type & vscode.FileType.Directory) {
        if (!name.startsWith('.') && !SKIP_FOLDERS.has(name)) await this.yamlFilesIn(child, depth + 1, out);
      } else if (YAML_FILE.test(name)) {
        out.push(child);
      }
    }
    return out;
  }

  private async plan(docs: readonly ManifestDoc[], context: string, namespace?: string): Promise<PlannedDoc[]> {
    const session = this.sessions.get(context);
    const target = { context, namespace: namespace ?? this.namespaceFor(context) };
    const known = session.connectionState;
    const discover = async (): Promise<readonly ApiResource[]> => {
      try {
        return await discoverResources(session.client);
      } catch (err) {
        const error = toKubeError(err, `reading the API resources of context "${context}"`);
        throw new KubeError(
          error.kind,
          `Could not read the API resources of context "${context}"; nothing was changed: ${error.message.replace(/^[^:]*failed: /, '')}`,
          error.status,
          { cause: error },
        );
      }
    };
    let resources = known.state === 'connected' ? known.resources : await discover();
    let plan = planApply(docs, resources, target);
    // A kind the cached discovery does not know may have been installed since: ask the cluster again.
    if (known.state === 'connected' && plan.some((p) => p.doc.object && !p.ref)) {
      resources = await discover();
      plan = planApply(docs, resources, target);
    }
    return plan;
  }

  private async askForce(conflicts: readonly DocResult[], context: string): Promise<boolean> {
    const lines = conflicts.flatMap((r) =>
      (r.conflicts ?? []).map(
        (c) => `${r.planned.kind} ${r.planned.ref?.name ?? ''}: ${c.field} is owned by "${c.manager}"`,
      ),
    );
    const choice = await vscode.window.showWarningMessage(
      `${plural(conflicts.length, 'object')} on context "${context}" ha${conflicts.length === 1 ? 's' : 've'} fields managed by another tool. Take them over?`,
      {
        modal: true,
        detail: `${lines.slice(0, 20).join('\n')}${lines.length > 20 ? `\n… and ${lines.length - 20} more` : ''}\n\nForce Apply makes Kube Workbench the owner of these fields; the other tool may change them back.`,
      },
      'Force Apply',
    );
    return choice === 'Force Apply';
  }

  /** Writes the report to the log and a report document, marks failures in the files, and notifies. */
  private publish(
    report: ApplyReport,
    files: Map<string, vscode.Uri>,
    verb: 'Apply' | 'Delete',
    notify: boolean,
    rollouts: readonly ObjectRef[] = [],
  ): void {
    const summary = summaryOf(report, verb === 'Delete' ? 'Deleted' : undefined);
    const lines = reportLines(report);
    this.log.info('apply', `${verb} on ${report.context}: ${summary}\n  ${lines.join('\n  ')}`);
    const uri = vscode.Uri.from({ scheme: REPORT_SCHEME, path: `/${verb.toLowerCase()}-report-${++this.counter}.log` });
    this.texts.set(uri.toString(), `${summary}\n\n${lines.join('\n')}\n`);
    this.lastReport = uri;
    this.setDiagnostics(report, files);
    if (!notify) return;
    const c = countsOf(report);
    const bad = c.failed + c.conflict + c.skipped > 0;
    const message = `${summary} (see report)`;
    const follow = rollouts.length === 1 ? 'Follow Rollout' : 'Follow Rollouts';
    const actions = rollouts.length > 0 ? ['Show Report', follow] : ['Show Report'];
    const shown = bad
      ? vscode.window.showWarningMessage(message, ...actions)
      : vscode.window.showInformationMessage(message, ...actions);
    void shown.then(async (choice) => {
      if (choice === 'Show Report') await this.showReport(uri);
      // The same live status as the rollout commands (one notification for all of them, see followAll).
      else if (choice === follow) await this.rollouts.followAll(rollouts);
    });
  }

  /** The URI of the last apply or delete report. */
  lastReport: vscode.Uri | undefined;

  async showReport(uri = this.lastReport): Promise<void> {
    if (!uri) return;
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(doc, { preview: true });
  }

  private setDiagnostics(report: ApplyReport, files: Map<string, vscode.Uri>): void {
    const byFile = new Map<string, vscode.Diagnostic[]>();
    for (const source of files.keys()) byFile.set(source, []);
    for (const r of report.results) {
      if (!['failed', 'conflict'].includes(r.status) || !r.message) continue;
      const line = Math.max(0, r.line - 1);
      const d = new vscode.Diagnostic(
        new vscode.Range(line, 0, line, 1000),
        `${report.dryRun ? 'Dry run' : 'Apply'} on ${report.context}: ${r.message}`,
        r.status === 'conflict' ? vscode.DiagnosticSeverity.Warning : vscode.DiagnosticSeverity.Error,
      );
      d.source = 'Kube Workbench apply';
      byFile.get(r.planned.doc.source)?.push(d);
    }
    for (const [source, diagnostics] of byFile) {
      const uri = files.get(source);
      if (uri) this.diagnostics.set(uri, diagnostics);
    }
  }
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
