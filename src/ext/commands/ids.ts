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
} as const;
export type CommandId = (typeof Commands)[keyof typeof Commands];

export const Views = {
  container: PREFIX,
  clusters: `${PREFIX}.clusters`,
} as const;

export const ContextKeys = {
  hasKubeconfig: `${PREFIX}:hasKubeconfig`,
} as const;

export const SETTINGS_SECTION = PREFIX;
