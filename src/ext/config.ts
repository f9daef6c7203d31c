import * as vscode from 'vscode';
import { SETTINGS_SECTION } from './commands/ids';

/** Typed settings, read on every access so a change applies without a reload. */
export const config = {
  kubeconfigFiles(): string[] {
    return vscode.workspace.getConfiguration(SETTINGS_SECTION).get<string[]>('kubeconfigs', []);
  },
  treePageSize(): number {
    const value = vscode.workspace.getConfiguration(SETTINGS_SECTION).get<number>('tree.pageSize', 500);
    return Math.max(50, Math.min(5000, value));
  },
  readOnlyContexts(): string[] {
    return vscode.workspace.getConfiguration(SETTINGS_SECTION).get<string[]>('readOnlyContexts', []);
  },
  confirmContexts(): string[] {
    return vscode.workspace.getConfiguration(SETTINGS_SECTION).get<string[]>('confirmContexts', []);
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
