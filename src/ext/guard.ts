import * as vscode from 'vscode';
import { ChangeGuard, type Refusal } from '../core/kube/changeGuard';
import type { ContextPolicy } from '../core/kube/contextPolicy';
import { KubeError } from '../core/kube/errors';
import { config } from './config';

/** Whether `err` is the production guard refusing a change on a read-only context. */
export function isGuardRefusal(err: unknown): err is KubeError {
  return err instanceof KubeError && err.kind === 'readOnly';
}

/**
 * The production guard in the UI: read-only contexts refuse every change, "confirm" contexts ask before each one.
 * The rule itself is core's ChangeGuard, which the sessions' ClusterClients also ask for every request and
 * connection they make: a command that forgot to call `confirmChange` is still refused on the wire.
 */
export class Guard implements vscode.Disposable {
  readonly rule = new ChangeGuard(() => ({ readOnly: config.readOnlyContexts(), confirm: config.confirmContexts() }));
  /** Every refusal, from the UI check or from the request check (the log and tests read it). */
  readonly onDidRefuse: vscode.Event<Refusal> = (listener, thisArg?: unknown) =>
    this.rule.onDidRefuse(thisArg === undefined ? listener : listener.bind(thisArg));

  policy(context: string): ContextPolicy {
    return this.rule.policy(context);
  }

  /**
   * Resolves when the change may go ahead; throws a KubeError of kind 'readOnly' on a read-only context,
   * `vscode.CancellationError` when the user declines. `alreadyConfirmed`: the caller's own modal named the
   * context (delete does).
   */
  async confirmChange(context: string, what: string, alreadyConfirmed = false): Promise<void> {
    this.rule.assertMayChange(context, what);
    if (this.policy(context) === 'confirm' && !alreadyConfirmed) {
      const choice = await vscode.window.showWarningMessage(
        `${what[0]?.toUpperCase() ?? ''}${what.slice(1)} on context "${context}"?`,
        { modal: true, detail: 'This context asks before every change (setting kubeWorkbench.confirmContexts).' },
        'Go ahead',
      );
      if (choice !== 'Go ahead') throw new vscode.CancellationError();
    }
  }

  dispose(): void {
    this.rule.dispose();
  }
}
