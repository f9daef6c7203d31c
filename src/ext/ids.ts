/** The one place the `kubeWorkbench` prefix is written for commands, views, context keys and settings. */
export const PREFIX = 'kubeWorkbench';

export const Commands = {
  refresh: `${PREFIX}.refresh`,
  useContext: `${PREFIX}.useContext`,
  useNamespace: `${PREFIX}.useNamespace`,
  chooseKubeconfig: `${PREFIX}.chooseKubeconfig`,
  reconnect: `${PREFIX}.reconnect`,
  copyName: `${PREFIX}.copyName`,
  showLog: `${PREFIX}.showLog`,
  showMore: `${PREFIX}.showMore`,
  filter: `${PREFIX}.filter`,
  clearFilter: `${PREFIX}.clearFilter`,
  openResource: `${PREFIX}.openResource`,
  describeResource: `${PREFIX}.describeResource`,
  deleteResource: `${PREFIX}.deleteResource`,
  revealSecret: `${PREFIX}.revealSecret`,
  rolloutRestart: `${PREFIX}.rolloutRestart`,
  rolloutPause: `${PREFIX}.rolloutPause`,
  rolloutResume: `${PREFIX}.rolloutResume`,
  rolloutUndo: `${PREFIX}.rolloutUndo`,
  rolloutHistory: `${PREFIX}.rolloutHistory`,
  rolloutStatus: `${PREFIX}.rolloutStatus`,
  scaleWorkload: `${PREFIX}.scaleWorkload`,
  setImage: `${PREFIX}.setImage`,
  triggerCronJob: `${PREFIX}.triggerCronJob`,
  suspendCronJob: `${PREFIX}.suspendCronJob`,
  resumeCronJob: `${PREFIX}.resumeCronJob`,
  portForward: `${PREFIX}.portForward`,
  stopPortForward: `${PREFIX}.stopPortForward`,
  openPortForward: `${PREFIX}.openPortForward`,
  applyManifest: `${PREFIX}.applyManifest`,
  applyManifestTo: `${PREFIX}.applyManifestTo`,
  previewApply: `${PREFIX}.previewApply`,
  applyFromPreview: `${PREFIX}.applyFromPreview`,
  deleteFromManifest: `${PREFIX}.deleteFromManifest`,
  selectSchemaSource: `${PREFIX}.selectSchemaSource`,
  followLogs: `${PREFIX}.followLogs`,
  openLogs: `${PREFIX}.openLogs`,
  logsWithOptions: `${PREFIX}.logsWithOptions`,
  exec: `${PREFIX}.exec`,
  execCommand: `${PREFIX}.execCommand`,
  attach: `${PREFIX}.attach`,
  cordonNode: `${PREFIX}.cordonNode`,
  uncordonNode: `${PREFIX}.uncordonNode`,
  drainNode: `${PREFIX}.drainNode`,
  showEvents: `${PREFIX}.showEvents`,
  copyFromPod: `${PREFIX}.copyFromPod`,
  copyToPod: `${PREFIX}.copyToPod`,
  debugContainer: `${PREFIX}.debugContainer`,
  kustomizeBuild: `${PREFIX}.kustomizeBuild`,
  helmOpenValues: `${PREFIX}.helmOpenValues`,
  helmOpenManifest: `${PREFIX}.helmOpenManifest`,
  helmOpenNotes: `${PREFIX}.helmOpenNotes`,
  helmHistory: `${PREFIX}.helmHistory`,
  helmDiff: `${PREFIX}.helmDiff`,
  helmRollback: `${PREFIX}.helmRollback`,
  helmUninstall: `${PREFIX}.helmUninstall`,
  renderChart: `${PREFIX}.renderChart`,
  validateChart: `${PREFIX}.validateChart`,
  previewChartUpgrade: `${PREFIX}.previewChartUpgrade`,
  validateKustomization: `${PREFIX}.validateKustomization`,
  showTop: `${PREFIX}.showTop`,
  sortTop: `${PREFIX}.sortTop`,
} as const;
export type CommandId = (typeof Commands)[keyof typeof Commands];

export const Views = {
  container: PREFIX,
  clusters: `${PREFIX}.clusters`,
  portForwards: `${PREFIX}.portForwards`,
} as const;

export const ContextKeys = {
  hasKubeconfig: `${PREFIX}:hasKubeconfig`,
  hasPortForwards: `${PREFIX}:hasPortForwards`,
  /** The folders of the workspace holding a Chart.yaml (for `resourcePath in …` in the Explorer's menus). */
  chartFolders: `${PREFIX}:chartFolders`,
} as const;

export const SETTINGS_SECTION = PREFIX;

/** The URI schemes of the documents that stand for cluster objects (see documents/resourceFileSystem.ts). */
export const DocumentSchemes = {
  /** Live objects: `kubeWorkbench:/<context>/<group|_core>/<version>/<plural>/<ns|_cluster>/<name>.yaml`. */
  resource: PREFIX,
  /** Read-only describe text of an object (plain text, same path ending in `.describe.txt`). */
  describe: `${PREFIX}-describe`,
  /** Live events timelines of a namespace or an object (plain text, re-rendered as events arrive). */
  events: `${PREFIX}-events`,
  /** Read-only snapshots of the server's version, the left side of a conflict diff. */
  conflict: `${PREFIX}-conflict`,
  /**
   * Read-only parts of one revision of a Helm release:
   * `kubeWorkbench-helm:/<context>/<namespace>/<release>/<revision>/values.yaml` (or manifest.yaml, notes.txt).
   */
  helm: `${PREFIX}-helm`,
  /**
   * Read-only output of `helm template` / `kustomize build` for validation and reading:
   * `kubeWorkbench-rendered:/<n>/<chart or kustomization>.yaml`. The manifest editor validates these like files.
   */
  rendered: `${PREFIX}-rendered`,
  /** Top documents: `kubeWorkbench-top:/<context>/<namespace|_all|_nodes>.top.txt?sort=cpu|memory`. */
  top: `${PREFIX}-top`,
} as const;
export const DESCRIBE_EXTENSION = '.describe.txt';
