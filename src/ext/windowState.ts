import * as vscode from 'vscode';
import type { KubeconfigService } from '../core/kube/kubeconfigService';

/**
 * The context and namespace this window works with. They are the extension's own state (kept per workspace),
 * so choosing them never rewrites the user's kubeconfig or switches other tools behind their back.
 */
export class WindowState implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  private readonly kubeconfigListener: { dispose(): void };

  constructor(
    private readonly memento: vscode.Memento,
    private readonly kubeconfig: KubeconfigService,
  ) {
    // Both values are derived from the kubeconfig too (a removed context, another current-context).
    this.kubeconfigListener = kubeconfig.onDidChange(() => this.changed.fire());
  }

  /** The chosen context if it still exists, else the kubeconfig's current-context, else the first one. */
  get context(): string | undefined {
    const merged = this.kubeconfig.current;
    const chosen = this.memento.get<string>('context');
    if (chosen && merged.contexts.some((c) => c.name === chosen)) return chosen;
    return merged.currentContext ?? merged.contexts[0]?.name;
  }

  /** The chosen namespace for the current context, else the context's own namespace, else `default`. */
  get namespace(): string {
    const context = this.context;
    if (!context) return 'default';
    const chosen = this.memento.get<Record<string, string>>('namespaces', {})[context];
    return chosen ?? this.kubeconfig.current.contexts.find((c) => c.name === context)?.namespace ?? 'default';
  }

  async setContext(context: string): Promise<void> {
    await this.memento.update('context', context);
    this.changed.fire();
  }

  async setNamespace(context: string, namespace: string): Promise<void> {
    const all = { ...this.memento.get<Record<string, string>>('namespaces', {}), [context]: namespace };
    await this.memento.update('namespaces', all);
    this.changed.fire();
  }

  dispose(): void {
    this.kubeconfigListener.dispose();
    this.changed.dispose();
  }
}
