import { existsSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { parse } from 'yaml';
import {
  HELM_NOT_INSTALLED_FOR_TEMPLATE,
  locateRenderedLine,
  renderedSources,
  templateArgs,
  type TemplateLocation,
} from '../../core/helm/chartTemplate';
import { HelmCliError, releaseNameProblem, namespaceProblem, runHelmOffline } from '../../core/helm/helmCli';
import { listRevisions } from '../../core/helm/releaseApi';
import { manifestObjects } from '../../core/helm/release';
import { indexKustomization, locateBuilt, type SourceLocation } from '../../core/apply/kustomizeSources';
import { splitManifests } from '../../core/apply/manifestFiles';
import { KubeError } from '../../core/kube/errors';
import type { KubeconfigService } from '../../core/kube/kubeconfigService';
import type { SessionRegistry } from '../../core/watch/clusterSession';
import { config } from '../config';
import { Cancelled } from '../errors';
import { ContextKeys, DocumentSchemes, PREFIX } from '../ids';
import type { OutputLogger } from '../log';
import type { WindowState } from '../windowState';
import type { ManifestEditor } from '../yaml/manifestEditor';
import type { ApplyService } from './applyService';

/** What the chart is rendered with. Commands ask for what is not given; scripts and tests pass all of it. */
export interface ChartOptions {
  readonly release?: string;
  readonly namespace?: string;
  /** A values file the user picked; `null` for the chart's own values.yaml (the default when not asked). */
  readonly valuesFile?: vscode.Uri | null;
  /** The context whose release Preview Upgrade compares with (the window's by default). */
  readonly context?: string;
}

export interface RenderedChart {
  readonly chartDir: vscode.Uri;
  readonly chartName: string;
  readonly release: string;
  readonly namespace: string;
  /** The read-only document holding the output (`kubeWorkbench-rendered:`). */
  readonly uri: vscode.Uri;
  readonly text: string;
}

/** A problem of the rendered output, where it is shown. */
export interface MappedProblem {
  readonly file: vscode.Uri;
  /** 0-based line in `file`. */
  readonly line: number;
  readonly message: string;
  /** Chart templates: how sure the line is; kustomizations: what was matched. */
  readonly confidence: TemplateLocation['confidence'] | SourceLocation['found'];
  /** 1-based line in the rendered output. */
  readonly renderedLine: number;
}

const CHART_FILE = 'Chart.yaml';

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/**
 * Charts and kustomizations of the workspace as what they render to: *Render Chart* (`helm template`),
 * *Validate Chart* and *Validate Kustomization* (the rendered documents validated by the manifest editor's
 * language server, each problem shown on the template or source file it comes from), and *Preview Upgrade* (a
 * server-side dry run of the rendered chart against the release's live objects). helm and kustomize run only in
 * a trusted workspace, with argument arrays; nothing here writes to a cluster.
 */
export class RenderedManifests implements vscode.Disposable {
  private readonly texts = new Map<string, string>();
  private readonly disposables: vscode.Disposable[] = [];
  private readonly chartProblems = vscode.languages.createDiagnosticCollection(`${PREFIX}.chart`);
  private readonly kustomizeProblems = vscode.languages.createDiagnosticCollection(`${PREFIX}.kustomize`);
  /** The files each chart or kustomization put problems on last time (cleared on the next validation). */
  private readonly shownOn = new Map<string, vscode.Uri[]>();
  private counter = 0;

  constructor(
    private readonly manifests: ManifestEditor,
    private readonly apply: ApplyService,
    private readonly sessions: SessionRegistry,
    private readonly kubeconfig: KubeconfigService,
    private readonly state: WindowState,
    private readonly log: OutputLogger,
  ) {
    this.disposables.push(
      this.chartProblems,
      this.kustomizeProblems,
      vscode.workspace.registerTextDocumentContentProvider(DocumentSchemes.rendered, {
        provideTextDocumentContent: (uri) => this.texts.get(uri.toString()) ?? '',
      }),
    );
    // The Explorer's menus show the chart commands on folders holding a Chart.yaml: found after activation,
    // only in a trusted workspace (where helm may run at all), and kept current by a file watcher.
    if (vscode.workspace.isTrusted) this.trackChartFolders();
    else this.disposables.push(vscode.workspace.onDidGrantWorkspaceTrust(() => this.trackChartFolders()));
  }

  private trackChartFolders(): void {
    const folders = new Set<string>();
    const publish = (): void => {
      void vscode.commands.executeCommand('setContext', ContextKeys.chartFolders, [...folders]);
    };
    const add = (uri: vscode.Uri): void => {
      folders.add(vscode.Uri.joinPath(uri, '..').path);
      publish();
    };
    const watcher = vscode.workspace.createFileSystemWatcher(`**/${CHART_FILE}`);
    this.disposables.push(
      watcher,
      watcher.onDidCreate(add),
      watcher.onDidDelete((uri) => {
        folders.delete(vscode.Uri.joinPath(uri, '..').path);
        publish();
      }),
    );
    const timer = setTimeout(() => {
      vscode.workspace.findFiles(`**/${CHART_FILE}`, '**/node_modules/**', 500).then(
        (found) => found.forEach(add),
        (err: unknown) => this.log.warn('charts', 'looking for Chart.yaml files failed', err),
      );
    }, 1_000);
    this.disposables.push({ dispose: () => clearTimeout(timer) });
  }

  // ── charts ────────────────────────────────────────────────────────────────────────────────────────────

  /** The chart folder of a Chart.yaml, of a folder holding one, or of a file inside a chart (a template). */
  chartDirOf(uri: vscode.Uri | undefined): vscode.Uri | undefined {
    if (!uri || uri.scheme !== 'file') return undefined;
    let dir = uri.fsPath;
    try {
      if (!statSync(dir).isDirectory()) dir = path.dirname(dir);
    } catch {
      return undefined;
    }
    for (let i = 0; i < 8; i++, dir = path.dirname(dir)) {
      if (existsSync(path.join(dir, CHART_FILE))) return vscode.Uri.file(dir);
      if (dir === path.dirname(dir)) break;
    }
    return undefined;
  }

  private requireChart(uri: vscode.Uri | undefined): vscode.Uri {
    const dir = this.chartDirOf(uri);
    if (!dir)
      throw new KubeError('invalid', 'Right-click a folder holding a Chart.yaml (or open a file of a chart) first');
    return dir;
  }

  private requireTrust(what: string): void {
    if (!vscode.workspace.isTrusted) {
      throw new KubeError(
        'config',
        `helm template runs only in a trusted workspace (a chart's templates and values decide what it reads and renders): ${what} was not rendered. Trust the workspace to use it.`,
      );
    }
  }

  private chartName(dir: vscode.Uri): string {
    const file = path.join(dir.fsPath, CHART_FILE);
    try {
      const doc = parse(readFileSync(file, 'utf8'), { maxAliasCount: 10 }) as { name?: unknown } | null;
      if (typeof doc?.name === 'string' && doc.name.length > 0) return doc.name;
    } catch (err) {
      this.log.warn('charts', `${file} could not be read`, err);
    }
    return path.basename(dir.fsPath);
  }

  private async ask(
    dir: vscode.Uri,
    options: ChartOptions,
    verb: string,
  ): Promise<Required<Omit<ChartOptions, 'context'>>> {
    const name = this.chartName(dir);
    const release =
      options.release ??
      (await vscode.window.showInputBox({
        title: `${verb} ${name}: release name`,
        value: releaseNameProblem(name) ? 'release-name' : name,
        validateInput: (v) => releaseNameProblem(v),
      }));
    if (release === undefined) throw new Cancelled();
    const namespace =
      options.namespace ??
      (await vscode.window.showInputBox({
        title: `${verb} ${name}: namespace`,
        value: this.state.namespace,
        validateInput: (v) => namespaceProblem(v),
      }));
    if (namespace === undefined) throw new Cancelled();
    let valuesFile = options.valuesFile;
    if (valuesFile === undefined) {
      const own = { label: "The chart's own values (values.yaml)", file: null };
      const pick = { label: 'Pick a values file…', file: undefined };
      const choice = await vscode.window.showQuickPick([own, pick], { title: `${verb} ${name}: values` });
      if (!choice) throw new Cancelled();
      if (choice === pick) {
        const picked = await vscode.window.showOpenDialog({
          canSelectMany: false,
          defaultUri: dir,
          filters: { YAML: ['yaml', 'yml'] },
          openLabel: 'Use these values',
        });
        if (!picked?.[0]) throw new Cancelled();
        valuesFile = picked[0];
      } else valuesFile = null;
    }
    return { release, namespace, valuesFile };
  }

  /** `helm template` of the chart (helm from kubeWorkbench.helm.path or PATH, no shell), into a read-only document. */
  async renderChart(uri: vscode.Uri | undefined, options: ChartOptions = {}, verb = 'Render'): Promise<RenderedChart> {
    const dir = this.requireChart(uri);
    const label = vscode.workspace.asRelativePath(dir, false);
    this.requireTrust(label);
    const { release, namespace, valuesFile } = await this.ask(dir, options, verb);
    const args = (() => {
      try {
        return templateArgs({ release, namespace, chartDir: dir.fsPath, valuesFile: valuesFile?.fsPath });
      } catch (err) {
        throw new KubeError('invalid', err instanceof Error ? err.message : String(err));
      }
    })();
    let text: string;
    try {
      text = (
        await runHelmOffline(args, HELM_NOT_INSTALLED_FOR_TEMPLATE, {
          helmPath: config.helmPath() || undefined,
          timeoutMs: 60_000,
          cwd: dir.fsPath,
        })
      ).stdout;
    } catch (err) {
      if (err instanceof HelmCliError) {
        const message =
          err.kind === 'failed'
            ? `helm template of ${label} (release ${release}, namespace ${namespace}) failed: ${err.message.replace(/^helm template failed: /, '')}. Fix the template or the values helm names, then try again; nothing was rendered.`
            : err.message;
        throw new KubeError(err.kind === 'notInstalled' ? 'config' : 'invalid', message, undefined, { cause: err });
      }
      throw err;
    }
    const chartName = this.chartName(dir);
    const values = valuesFile ? vscode.workspace.asRelativePath(valuesFile, false) : 'values.yaml';
    this.log.info(
      'charts',
      `helm template ${release} ${label} --namespace=${namespace} (values: ${values}): ${text.length} characters`,
    );
    const uriOut = vscode.Uri.from({
      scheme: DocumentSchemes.rendered,
      path: `/${++this.counter}/${chartName}-${release}.yaml`,
    });
    this.keep(uriOut, text);
    return { chartDir: dir, chartName, release, namespace, uri: uriOut, text };
  }

  /** Render Chart: the output opened read-only (validated by the manifest editor like any manifest). */
  async showRenderedChart(uri: vscode.Uri | undefined, options: ChartOptions = {}): Promise<RenderedChart> {
    const rendered = await this.renderChart(uri, options);
    const doc = await vscode.workspace.openTextDocument(rendered.uri);
    await vscode.window.showTextDocument(doc, { preview: false });
    return rendered;
  }

  /**
   * Validate Chart: renders it, validates the output with the manifest editor's server (the chosen cluster's
   * schemas, CRDs included) and shows each problem on its template (file from `# Source:`, line best effort).
   */
  async validateChart(
    uri: vscode.Uri | undefined,
    options: ChartOptions = {},
  ): Promise<{ rendered: RenderedChart; problems: MappedProblem[] }> {
    const rendered = await this.renderChart(uri, options, 'Validate');
    const diagnostics = await this.manifests.validate(rendered.uri);
    const sources = renderedSources(rendered.text);
    const templates = new Map<string, string | undefined>();
    const readTemplate = (file: string): string | undefined => {
      if (!templates.has(file)) {
        const full = path.resolve(rendered.chartDir.fsPath, file);
        let text: string | undefined;
        // Only files inside the chart folder (a Source comment is output, not a path to trust).
        if (full.startsWith(`${rendered.chartDir.fsPath}${path.sep}`)) {
          try {
            text = readFileSync(full, 'utf8');
          } catch {
            text = undefined;
          }
        }
        templates.set(file, text);
      }
      return templates.get(file);
    };
    const problems: MappedProblem[] = [];
    const byFile = new Map<string, { uri: vscode.Uri; list: vscode.Diagnostic[] }>();
    const chartFile = vscode.Uri.joinPath(rendered.chartDir, CHART_FILE);
    for (const d of diagnostics) {
      const at = locateRenderedLine(rendered.text, d.range.start.line, readTemplate, sources);
      const renderedLine = d.range.start.line + 1;
      const known = at && at.confidence !== 'file' && readTemplate(at.file) !== undefined;
      const file =
        at && readTemplate(at.file) !== undefined ? vscode.Uri.joinPath(rendered.chartDir, at.file) : chartFile;
      const line = known ? at.line : 0;
      const where = !at
        ? `rendered line ${renderedLine}, outside any template's output`
        : at.confidence === 'exact'
          ? undefined
          : at.confidence === 'line'
            ? `rendered line ${renderedLine}; the template line was matched by its text before {{ }}`
            : at.confidence === 'near'
              ? `rendered line ${renderedLine}, written by template code (include, range, toYaml): shown at the nearest template line above`
              : `rendered line ${renderedLine} of ${at.file}; the line in the template could not be found`;
      const message = `${d.message} (helm template ${rendered.release}${where ? `: ${where}` : ''})`;
      const diagnostic = new vscode.Diagnostic(new vscode.Range(line, 0, line, 1000), message, d.severity);
      diagnostic.source = 'Kube Workbench chart';
      diagnostic.relatedInformation = [
        new vscode.DiagnosticRelatedInformation(new vscode.Location(rendered.uri, d.range), 'in the rendered output'),
      ];
      const entry = byFile.get(file.toString()) ?? { uri: file, list: [] };
      entry.list.push(diagnostic);
      byFile.set(file.toString(), entry);
      problems.push({
        file,
        line,
        message,
        confidence: at?.confidence ?? 'file',
        renderedLine,
      });
    }
    this.show(this.chartProblems, rendered.chartDir.toString(), byFile);
    this.log.info(
      'charts',
      `validated ${vscode.workspace.asRelativePath(rendered.chartDir, false)}: ${plural(problems.length, 'problem')}`,
    );
    return { rendered, problems };
  }

  private show(
    collection: vscode.DiagnosticCollection,
    key: string,
    byFile: Map<string, { uri: vscode.Uri; list: vscode.Diagnostic[] }>,
  ): void {
    for (const old of this.shownOn.get(key) ?? []) collection.delete(old);
    for (const { uri, list } of byFile.values()) collection.set(uri, list);
    this.shownOn.set(
      key,
      [...byFile.values()].map((e) => e.uri),
    );
  }

  /**
   * Preview Upgrade: the chart rendered for an installed release (its name and namespace) and dry-run on the
   * server against the release's live objects, shown as the apply preview's per-document diff. Nothing is
   * written (a dry run); objects of the release's latest revision that the chart no longer renders are listed.
   */
  async previewChartUpgrade(
    uri: vscode.Uri | undefined,
    options: ChartOptions = {},
  ): Promise<{ left: vscode.Uri; right: vscode.Uri; rendered: RenderedChart; removed: string[] }> {
    const context = options.context ?? this.state.context;
    if (!context || !this.kubeconfig.current.contexts.some((c) => c.name === context))
      throw new KubeError('config', `Context "${context ?? ''}" is not in the kubeconfig: choose a context first`);
    const rendered = await this.renderChart(uri, options, 'Preview Upgrade of');
    const client = this.sessions.get(context).client;
    const revisions = await listRevisions(client, { namespace: rendered.namespace, release: rendered.release });
    const latest = revisions.find((r) => r.release)?.release;
    if (!latest) {
      throw new KubeError(
        'notFound',
        `Helm release ${rendered.namespace}/${rendered.release} is not installed on context "${context}": Preview Upgrade compares a chart with an installed release. Render the chart instead, or pick the release's name and namespace.`,
      );
    }
    const label = `${vscode.workspace.asRelativePath(rendered.chartDir, false)} (helm template ${rendered.release})`;
    const docs = splitManifests(rendered.text, label);
    const renderedIds = new Set(
      docs.flatMap((d) => {
        const meta = d.object?.metadata as { name?: unknown } | undefined;
        return d.object ? [`${String(d.object.kind)}/${String(meta?.name)}`] : [];
      }),
    );
    const removed = manifestObjects(latest.manifest)
      .filter((o) => !renderedIds.has(`${o.kind}/${o.name}`))
      .map((o) => `${o.kind} ${o.namespace ?? rendered.namespace}/${o.name}`);
    const shown = await this.apply.previewDocuments(docs, {
      context,
      namespace: rendered.namespace,
      name: `${rendered.chartName}-${rendered.release}.yaml`,
      label,
      notApplicable: `This is a preview of a Helm upgrade (release ${rendered.namespace}/${rendered.release}): it is not applied from here. Run helm upgrade to upgrade the release.`,
    });
    this.log.info(
      'charts',
      `preview of upgrading ${rendered.namespace}/${rendered.release} (revision ${latest.revision}) on ${context}` +
        (removed.length ? `; helm upgrade would also delete ${removed.join(', ')}` : ''),
    );
    if (removed.length > 0) {
      void vscode.window.showInformationMessage(
        `Preview of ${rendered.release}: helm upgrade would also delete ${removed.join(', ')} (not in the rendered chart).`,
      );
    }
    return { left: shown.left, right: shown.right, rendered, removed };
  }

  // ── kustomizations ───────────────────────────────────────────────────────────────────────────────────

  /**
   * Validate Kustomization: `kustomize build` (trusted workspace only), the output validated like a manifest,
   * and each problem shown on the file that declares the object (matched by kind and name through local bases),
   * on the generator entry, or else on kustomization.yaml.
   */
  async validateKustomization(uri: vscode.Uri | undefined): Promise<{ uri: vscode.Uri; problems: MappedProblem[] }> {
    const target = uri ?? vscode.window.activeTextEditor?.document.uri;
    const folder = target && (await this.apply.kustomizationOf(target));
    if (!folder) throw new KubeError('invalid', 'Right-click a kustomization.yaml (or a folder holding one) first');
    const text = await this.apply.kustomizeBuild(folder);
    const out = vscode.Uri.from({
      scheme: DocumentSchemes.rendered,
      path: `/${++this.counter}/${path.basename(folder.fsPath)}-kustomize-build.yaml`,
    });
    this.keep(out, text);
    const diagnostics = await this.manifests.validate(out);
    const index = indexKustomization(folder.fsPath, {
      read: (file) => {
        try {
          return readFileSync(file, 'utf8');
        } catch {
          return undefined;
        }
      },
      isDirectory: (file) => {
        try {
          return statSync(file).isDirectory();
        } catch {
          return false;
        }
      },
    });
    const docs = splitManifests(text, 'kustomize build');
    const problems: MappedProblem[] = [];
    const byFile = new Map<string, { uri: vscode.Uri; list: vscode.Diagnostic[] }>();
    for (const d of diagnostics) {
      const builtLine = d.range.start.line + 1;
      const doc = docs.find((x) => builtLine >= x.startLine && builtLine <= x.endLine);
      const meta = doc?.object?.metadata as { name?: unknown } | undefined;
      const kind = String(doc?.object?.kind ?? '');
      const name = typeof meta?.name === 'string' ? meta.name : '';
      const at = locateBuilt(index, { kind, name, text, builtLine });
      const file = vscode.Uri.file(at.file);
      const line = Math.max(0, at.line - 1);
      const what = kind && name ? `${kind} ${name}` : `line ${builtLine}`;
      const where =
        at.found === 'object'
          ? `built ${what}, line ${builtLine} of the build`
          : at.found === 'generator'
            ? `built ${what}, made by this generator`
            : `built ${what}, line ${builtLine} of the build: its source file could not be told`;
      const message = `${d.message} (kustomize build: ${where})`;
      const diagnostic = new vscode.Diagnostic(new vscode.Range(line, 0, line, 1000), message, d.severity);
      diagnostic.source = 'Kube Workbench kustomize';
      diagnostic.relatedInformation = [
        new vscode.DiagnosticRelatedInformation(new vscode.Location(out, d.range), 'in the built output'),
      ];
      const entry = byFile.get(file.toString()) ?? { uri: file, list: [] };
      entry.list.push(diagnostic);
      byFile.set(file.toString(), entry);
      problems.push({ file, line, message, confidence: at.found, renderedLine: builtLine });
    }
    this.show(this.kustomizeProblems, folder.toString(), byFile);
    this.log.info(
      'apply',
      `validated kustomization ${vscode.workspace.asRelativePath(folder, false)}: ${plural(problems.length, 'problem')}`,
    );
    return { uri: out, problems };
  }

  /** Keeps a rendering's text for its read-only document: the last 20, so the map does not grow for ever. */
  private keep(uri: vscode.Uri, text: string): void {
    this.texts.set(uri.toString(), text);
    for (const key of this.texts.keys()) {
      if (this.texts.size <= 20) break;
      this.texts.delete(key);
    }
  }

  /** The text of a rendered document (tests). */
  textOf(uri: vscode.Uri): string | undefined {
    return this.texts.get(uri.toString());
  }

  dispose(): void {
    for (const d of this.disposables.splice(0)) d.dispose();
    this.texts.clear();
  }
}
