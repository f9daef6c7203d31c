import * as vscode from 'vscode';
import { DEFAULT_ANSWER_CHARS, type AgentPolicy } from '../core/agent/agentPolicy';
import { SETTINGS_SECTION } from './ids';

/** Typed settings, read on every access so a change applies without a reload. */
export const config = {
  kubeconfigFiles(): string[] {
    return vscode.workspace.getConfiguration(SETTINGS_SECTION).get<string[]>('kubeconfigs', []);
  },
  treePageSize(): number {
    const value = vscode.workspace.getConfiguration(SETTINGS_SECTION).get<number>('tree.pageSize', 500);
    return Math.max(50, Math.min(5000, value));
  },
  /** How often metrics are read while shown, in milliseconds; 0: metrics off. */
  metricsRefreshMs(): number {
    const value = vscode.workspace.getConfiguration(SETTINGS_SECTION).get<number>('metrics.refreshSeconds', 15);
    if (!Number.isFinite(value) || value <= 0) return 0;
    return Math.max(5, Math.min(3600, value)) * 1000;
  },
  affectsMetrics(event: vscode.ConfigurationChangeEvent): boolean {
    return event.affectsConfiguration(`${SETTINGS_SECTION}.metrics.refreshSeconds`);
  },
  /** The kustomize program (empty: `kustomize` on PATH). Machine-scoped: a workspace cannot choose what runs. */
  kustomizePath(): string {
    return vscode.workspace.getConfiguration(SETTINGS_SECTION).get<string>('kustomize.path', '');
  },
  readOnlyContexts(): string[] {
    return userSetting<string[]>('readOnlyContexts', []);
  },
  confirmContexts(): string[] {
    return userSetting<string[]>('confirmContexts', []);
  },
  /** What agents may do through the language model tools (User settings only, like the guard). */
  agentPolicy(): AgentPolicy {
    return {
      allowedContexts: userSetting<string[]>('agent.allowedContexts', ['*']),
      allowChanges: userSetting<boolean>('agent.allowChanges', true),
      changeTools: userSetting<string[] | undefined>('agent.changeTools', undefined) ?? 'all',
      answerChars: Math.max(2_000, Math.min(200_000, userSetting<number>('agent.answerChars', DEFAULT_ANSWER_CHARS))),
      allowClusterScopedChanges: userSetting<boolean>('agent.allowClusterScopedChanges', false),
    };
  },
  /** The helm binary for rollback and uninstall; '' means the first `helm` on PATH. User settings only. */
  helmPath(): string {
    return userSetting<string>('helm.path', '').trim();
  },
  affectsGuard(event: vscode.ConfigurationChangeEvent): boolean {
    return (
      event.affectsConfiguration(`${SETTINGS_SECTION}.readOnlyContexts`) ||
      event.affectsConfiguration(`${SETTINGS_SECTION}.confirmContexts`)
    );
  },
  /** Settings whose change means the kubeconfig must be read again. */
  affectsKubeconfig(event: vscode.ConfigurationChangeEvent): boolean {
    return event.affectsConfiguration(`${SETTINGS_SECTION}.kubeconfigs`);
  },
  async addKubeconfigFile(file: string): Promise<void> {
    const files = config.kubeconfigFiles();
    if (files.includes(file)) return;
    await vscode.workspace
      .getConfiguration(SETTINGS_SECTION)
      .update('kubeconfigs', [...files, file], vscode.ConfigurationTarget.Global);
  },
};

/**
 * A setting as the user set it (User settings, in every window: local, Remote-SSH, WSL, containers), never as a
 * workspace or folder set it. The production guard's settings are `application`-scoped so VS Code already keeps
 * workspaces out; reading only the user's value keeps that true on any VS Code and for any other scope.
 */
function userSetting<T>(key: string, fallback: T): T {
  const inspected = vscode.workspace.getConfiguration(SETTINGS_SECTION).inspect<T>(key);
  return inspected?.globalValue ?? inspected?.defaultValue ?? fallback;
}
