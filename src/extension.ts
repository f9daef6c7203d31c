import * as vscode from 'vscode';
import { KubeconfigService } from './core/kube/kubeconfigService';
import { SessionRegistry } from './core/watch/clusterSession';
import { buildCommandTable } from './ext/commands/table';
import { registerCommands } from './ext/registerCommands';
import { ContextKeys, Views } from './ext/ids';
import { config } from './ext/config';
import { OutputLogger } from './ext/log';
import { ContextStatusBar } from './ext/statusBar';
import { ClusterTreeProvider } from './ext/views/clusterTree';
import { WindowState } from './ext/windowState';
import { Guard } from './ext/guard';
import { ResourceDocuments } from './ext/documents/resourceFileSystem';
import { ManifestEditor } from './ext/yaml/manifestEditor';
import { ApplyService } from './ext/apply/applyService';
import { RolloutActions } from './ext/rollout/rolloutCommands';
import { PortForwards } from './ext/portforward/portForwards';
import { StreamCommands } from './ext/commands/streams';
import { LogDocuments } from './ext/terminals/logDocuments';
import { StartupTimings, type StartupTimingsSnapshot } from './core/common/startupTimings';
import { LanguageModelTools } from './ext/agent/languageModelTools';
import { NodeCommands } from './ext/nodes/nodeCommands';
import { EventsTimeline } from './ext/documents/eventsTimeline';
import { HelmActions } from './ext/helm/helmActions';
import { MetricsService } from './core/metrics/metricsService';
import { TopDocuments } from './ext/documents/topDocument';
import { RenderedManifests } from './ext/apply/renderedManifests';

/** What the extension hands to its integration tests (and to other extensions, one day). */
export interface KubeWorkbenchApi {
  readonly tree: ClusterTreeProvider;
  readonly kubeconfig: KubeconfigService;
  readonly documents: ResourceDocuments;
  /** The manifest editor: YAML language server and Kubernetes schemas. */
  readonly manifests: ManifestEditor;
  /** Apply, preview and delete of manifest files (tests bring their own confirmations). */
  readonly apply: ApplyService;
  /** Active port-forwards (the Port Forwards view's model). */
  readonly portForwards: PortForwards;
  /** Log and exec terminals opened so far (tests drive their pseudoterminals). */
  readonly streams: StreamCommands;
  readonly sessions: SessionRegistry;
  /** The production guard (tests watch its refusals). */
  readonly guard: Guard;
  /** Charts and kustomizations of the workspace: render, validate (problems on the sources), upgrade preview. */
  readonly rendered: RenderedManifests;
  /** Helm releases: documents, history, diff, rollback and uninstall (tests bring their own confirmations). */
  readonly helm: HelmActions;
  /** CPU and memory from metrics.k8s.io (tests count its requests). */
  readonly metrics: MetricsService;
  /** Top documents (tests read their text). */
  readonly top: TopDocuments;
  /** The agent tools registered with vscode.lm (tests read their confirmations). */
  readonly agentTools: LanguageModelTools;
  /** When activate() began and when the Clusters view first got its contexts (`npm run bench` reads these). */
  startupTimings(): StartupTimingsSnapshot;
}

/**
 * The composition root. No file, network or cluster I/O happens here: the kubeconfig is read when the view or
 * a command first needs it, clusters are contacted when a context is expanded.
 */
export function activate(context: vscode.ExtensionContext): KubeWorkbenchApi {
  const startup = new StartupTimings();
  const log = new OutputLogger();
  context.subscriptions.push(log);
  const own = <T extends vscode.Disposable>(d: T): T => {
    context.subscriptions.push(d);
    return d;
  };
  try {
    const kubeconfig = own(
      new KubeconfigService(() => ({ env: process.env.KUBECONFIG, extraFiles: config.kubeconfigFiles() }), log),
    );
    const guard = own(new Guard());
    own(
      guard.onDidRefuse(({ context, what }) => log.warn('guard', `refused on read-only context "${context}": ${what}`)),
    );
    const sessions = own(new SessionRegistry(() => kubeconfig.current, { log, gate: guard.rule }));
    const state = own(new WindowState(context.workspaceState, kubeconfig));
    const metrics = own(new MetricsService({ sessions, log, refreshMs: () => config.metricsRefreshMs() }));
    const tree = own(
      new ClusterTreeProvider(
        kubeconfig,
        sessions,
        state,
        () => config.treePageSize(),
        (context) => guard.policy(context),
        250,
        metrics,
      ),
    );
    const view = own(vscode.window.createTreeView(Views.clusters, { treeDataProvider: tree, showCollapseAll: true }));
    own(tree.attach(view));
    const firstContexts = own(
      tree.onDidListContexts(({ requestedAt, contexts }) => {
        startup.rootShown(requestedAt, contexts);
        firstContexts.dispose();
      }),
    );
    const statusBar = own(new ContextStatusBar(state, guard));
    const documents = own(new ResourceDocuments(sessions, log, guard));
    const manifests = own(new ManifestEditor(context, sessions, kubeconfig, state, log));
    const rollouts = own(new RolloutActions(sessions, guard, log));
    const apply = own(new ApplyService(sessions, state, kubeconfig, guard, log, rollouts));
    const rendered = own(new RenderedManifests(manifests, apply, sessions, kubeconfig, state, log));
    const portForwards = own(new PortForwards(sessions, guard, log));
    own(vscode.window.createTreeView(Views.portForwards, { treeDataProvider: portForwards }));
    const agentTools = own(new LanguageModelTools(kubeconfig, sessions, guard, log));
    const helm = own(new HelmActions(sessions, kubeconfig, guard, log));
    const top = own(new TopDocuments(sessions, metrics, state, log));
    const streams = new StreamCommands(sessions, own(new LogDocuments(log)), guard, log);
    own(
      registerCommands(
        buildCommandTable({
          kubeconfig,
          sessions,
          state,
          tree,
          log,
          documents,
          manifests,
          streams,
          rollouts,
          portForwards,
          apply,
          rendered,
          nodes: new NodeCommands(sessions, guard, log),
          events: own(new EventsTimeline(sessions, log)),
          helm,
          top,
        }),
        log,
      ),
    );

    own(
      kubeconfig.onDidChange((merged) => {
        sessions.reset();
        void vscode.commands.executeCommand('setContext', ContextKeys.hasKubeconfig, merged.contexts.length > 0);
      }),
    );
    own(
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (config.affectsKubeconfig(event)) kubeconfig.reload();
        if (config.affectsMetrics(event)) tree.refreshAll();
        if (config.affectsGuard(event)) {
          statusBar.update();
          tree.refreshAll();
          cutWhatBecameReadOnly();
        }
      }),
    );
    // What was opened before its context became read-only acts no longer: forwards stop, exec/attach end.
    const cutWhatBecameReadOnly = (): void => {
      const readOnly = (name: string): boolean => guard.policy(name) === 'readOnly';
      const forwards = portForwards.stopWhere(readOnly);
      const terminals = streams.cutWhere(readOnly);
      if (forwards + terminals === 0) return;
      const parts = [
        forwards ? `${forwards} port-forward${forwards === 1 ? '' : 's'} stopped` : '',
        terminals ? `${terminals} exec/attach terminal${terminals === 1 ? '' : 's'} disconnected` : '',
      ].filter(Boolean);
      void vscode.window.showWarningMessage(
        `A context became read-only (kubeWorkbench.readOnlyContexts): ${parts.join(', ')}.`,
      );
    };
    // Read the kubeconfig (local files only) just after activation, to set the welcome view and status bar.
    const publish = (): void => {
      const merged = kubeconfig.current;
      void vscode.commands.executeCommand('setContext', ContextKeys.hasKubeconfig, merged.contexts.length > 0);
      statusBar.update();
    };
    const timer = setTimeout(publish, 0);
    own({ dispose: () => clearTimeout(timer) });
    log.info(
      'activate',
      `Kube Workbench ${String((context.extension.packageJSON as { version?: string }).version)} activated`,
    );
    startup.activated();
    return {
      tree,
      kubeconfig,
      documents,
      manifests,
      sessions,
      streams,
      portForwards,
      apply,
      rendered,
      guard,
      agentTools,
      helm,
      metrics,
      top,
      startupTimings: () => startup.snapshot(),
    };
  } catch (err) {
    // VS Code does not show activation failures to users; we do.
    log.error('activate', 'activation failed', err);
    void vscode.window
      .showErrorMessage(
        `Kube Workbench failed to start: ${err instanceof Error ? err.message : String(err)}`,
        'Show Log',
      )
      .then((choice) => {
        if (choice) log.show();
      });
    throw err;
  }
}

export function deactivate(): void {
  // Everything is owned by context.subscriptions and disposed by VS Code.
}
