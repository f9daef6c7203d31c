import * as vscode from 'vscode';
import { Commands } from './ids';
import type { WindowState } from './windowState';
import type { Guard } from './guard';

/** Shows this window's context and namespace; a click switches context. */
export class ContextStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem(
    'kubeWorkbench.context',
    vscode.StatusBarAlignment.Left,
    10,
  );
  private readonly listener: vscode.Disposable;

  constructor(
    private readonly state: WindowState,
    private readonly guard: Guard,
  ) {
    this.item.name = 'Kube Workbench: context';
    this.item.command = Commands.useContext;
    this.listener = state.onDidChange(() => this.update());
  }

  update(): void {
    const context = this.state.context;
    if (!context) {
      this.item.hide();
      return;
    }
    const policy = this.guard.policy(context);
    const icon = policy === 'readOnly' ? '$(lock)' : policy === 'confirm' ? '$(warning)' : '$(server-environment)';
    this.item.text = `${icon} ${context} · ${this.state.namespace}`;
    // Production contexts stand out, as k9s colours them.
    this.item.backgroundColor =
      policy === 'normal' ? undefined : new vscode.ThemeColor('statusBarItem.warningBackground');
    const guardNote =
      policy === 'readOnly'
        ? ' Read-only: Kube Workbench changes nothing here.'
        : policy === 'confirm'
          ? ' Every change asks for confirmation.'
          : '';
    this.item.tooltip = `Kubernetes context and namespace of this window (your kubeconfig is not changed).${guardNote} Click to switch context.`;
    this.item.show();
  }

  dispose(): void {
    this.listener.dispose();
    this.item.dispose();
  }
}
