import * as vscode from 'vscode';
import { toKubeError } from '../core/kube/errors';
import type { OutputLogger } from './log';

/** Shows an error written for users, with the full detail in the log. */
export async function reportError(err: unknown, what: string, log: OutputLogger): Promise<void> {
  const kubeError = toKubeError(err, what);
  if (kubeError.kind === 'cancelled') return;
  log.error('command', kubeError.message, kubeError.cause ?? kubeError);
  const choice = await vscode.window.showErrorMessage(kubeError.message, 'Show Log');
  if (choice === 'Show Log') log.show();
}

/** Thrown (or rejected) when the user dismisses a picker or a confirmation: not an error. */
export class Cancelled extends Error {
  constructor() {
    super('cancelled');
    this.name = 'AbortError';
  }
}
