import * as vscode from 'vscode';
import { ChangeGuard, type Refusal } from '../core/kube/changeGuard';
import type { ContextPolicy, ContextPolicySettings } from '../core/kube/contextPolicy';
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
  /**
   * The settings as last read. The rule is asked for every tree item VS Code paints (its actions) and every request,
   * and each read of a setting builds VS Code's configuration objects anew: painting a 500-item folder every 250 ms
   * while a big list arrived read them thousands of times and left megabytes of garbage in the extension host. VS
   * Code updates the configuration before it fires onDidChangeConfiguration, and this listener is registered before
   * any other of the extension's (the Guard is made first in activate()), so no one reads an outdated value.
   */
  private settings: ContextPolicySettings | undefined;
  private readonly settingsListener = vscode.workspace.onDidChangeConfiguration(() => (this.settings = undefined));
  readonly rule = new ChangeGuard(
    () => (this.settings ??= { readOnly: config.readOnlyContexts(), confirm: config.confirmContexts() }),
  );
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
    this.settingsListener.dispose();
    this.rule.dispose();
  }
}
