import * as vscode from 'vscode';
import { contextPolicy, type ContextPolicy } from '../core/kube/contextPolicy';
import { config } from './config';

/** Thrown when a change is refused by the production guard; its message is for the user. */
export class GuardRefusal extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GuardRefusal';
  }
}

/**
 * The production guard, from the settings: read-only contexts refuse every change, "confirm" contexts ask
 * before each one. Every command and save that changes a cluster goes through `confirmChange`.
 */
export class Guard {
  policy(context: string): ContextPolicy {
    return contextPolicy(context, { readOnly: config.readOnlyContexts(), confirm: config.confirmContexts() });
  }

  /**
   * Resolves when the change may go ahead; throws GuardRefusal on a read-only context, `vscode.CancellationError`
   * when the user declines. `alreadyConfirmed`: the caller's own modal named the context (delete does).
   */
  async confirmChange(context: string, what: string, alreadyConfirmed = false): Promise<void> {
    const policy = this.policy(context);
    if (policy === 'readOnly') {
      throw new GuardRefusal(
        `Context "${context}" is read-only in Kube Workbench (setting kubeWorkbench.readOnlyContexts): ${what} was not done.`,
      );
    }
    if (policy === 'confirm' && !alreadyConfirmed) {
      const choice = await vscode.window.showWarningMessage(
        `${what[0]?.toUpperCase() ?? ''}${what.slice(1)} on context "${context}"?`,
        { modal: true, detail: 'This context asks before every change (setting kubeWorkbench.confirmContexts).' },
        'Go ahead',
      );
      if (choice !== 'Go ahead') throw new vscode.CancellationError();
    }
  }
}
