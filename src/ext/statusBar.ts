import * as vscode from 'vscode';
import { Commands } from './commands/ids';
import type { WindowState } from './windowState';

/** Shows this window's context and namespace; a click switches context. */
export class ContextStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem(
    'kubeWorkbench.context',
    vscode.StatusBarAlignment.Left,
    10,
  );
  private readonly listener: vscode.Disposable;

  constructor(private readonly state: WindowState) {
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
    this.item.text = `$(server-environment) ${context} · ${this.state.namespace}`;
    this.item.tooltip = `Kubernetes context and namespace of this window (your kubeconfig is not changed). Click to switch context.`;
    this.item.show();
  }

  dispose(): void {
    this.listener.dispose();
    this.item.dispose();
  }
}
