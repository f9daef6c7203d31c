import * as vscode from 'vscode';
import { KubeError } from '../../core/kube/errors';
import {
  drainNode,
  drainSummary,
  planDrain,
  setUnschedulable,
  type DrainOptions,
  type DrainPod,
  type DrainResult,
} from '../../core/nodes/drain';
import type { SessionRegistry } from '../../core/watch/clusterSession';
import { Cancelled } from '../errors';
import type { Guard } from '../guard';
import { Commands } from '../ids';
import type { OutputLogger } from '../log';
import type { CommandTable } from '../registerCommands';
import { objectTargetOf } from '../views/targets';

export type NodeCommand = typeof Commands.cordonNode | typeof Commands.uncordonNode | typeof Commands.drainNode;

/** Inputs scripts and tests may pass as the command's second argument instead of answering pickers. */
export interface DrainCommandOptions extends DrainOptions {
  timeoutMs?: number;
  retryMs?: number;
  /** Replaces the modal confirmation; receives the exact question and detail shown. */
  confirm?: (question: string, detail: string) => Thenable<boolean>;
}

function nodeOf(arg: unknown): { context: string; name: string } {
  const ref = objectTargetOf(arg)?.ref;
  if (ref?.kind === 'Node') return { context: ref.context, name: ref.name };
  throw new KubeError('invalid', 'Choose a node in the Clusters view first');
}

function listed(pods: readonly DrainPod[], limit = 25): string {
  const lines = pods.slice(0, limit).map((p) => `  ${p.namespace}/${p.name}`);
  if (pods.length > limit) lines.push(`  … and ${pods.length - limit} more`);
  return lines.join('\n');
}

/** Cordon, uncordon and drain (Nodes folder, right-click). Every change asks the production guard first. */
export class NodeCommands {
  constructor(
    private readonly sessions: SessionRegistry,
    private readonly guard: Guard,
    private readonly log: OutputLogger,
  ) {}

  commands(): CommandTable<NodeCommand> {
    const cordon = (on: boolean) => async (arg: unknown) => {
      const { context, name } = nodeOf(arg);
      await this.guard.confirmChange(context, `${on ? 'cordoning' : 'uncordoning'} node "${name}"`);
      const message = await setUnschedulable(this.sessions.get(context).client, context, name, on);
      this.log.info('nodes', `${message} on ${context}`);
      vscode.window.setStatusBarMessage(`${message} (${context})`, 5000);
      return { message };
    };
    return {
      [Commands.cordonNode]: { title: 'cordoning the node', run: cordon(true) },
      [Commands.uncordonNode]: { title: 'uncordoning the node', run: cordon(false) },
      [Commands.drainNode]: {
        title: 'draining the node',
        run: (arg, opts) => this.drain(arg, typeof opts === 'object' && opts !== null ? opts : {}),
      },
    };
  }

  private async drain(
    arg: unknown,
    opts: DrainCommandOptions,
  ): Promise<{ message: string; result: DrainResult } | undefined> {
    const { context, name } = nodeOf(arg);
    const what = `draining node "${name}"`;
    // Read-only refuses before the pods are even listed; "confirm" contexts are covered by the question below.
    await this.guard.confirmChange(context, what, true);
    const client = this.sessions.get(context).client;
    let options: DrainOptions = { force: opts.force, deleteEmptyDirData: opts.deleteEmptyDirData };
    let plan = await planDrain(client, context, name, options);
    const consents = new Set(plan.flatMap((p) => (p.verdict.action === 'needsConsent' ? [p.verdict.consent] : [])));
    if (consents.size > 0 && opts.force === undefined && opts.deleteEmptyDirData === undefined) {
      const count = (c: string): number =>
        plan.filter((p) => p.verdict.action === 'needsConsent' && p.verdict.consent === c).length;
      const picked = await vscode.window.showQuickPick(
        [...consents].map((c) => ({
          label:
            c === 'force'
              ? `Also evict ${count(c)} pod(s) no controller manages`
              : `Also evict ${count(c)} pod(s) with emptyDir data`,
          detail:
            c === 'force'
              ? 'They will not come back (kubectl drain --force)'
              : 'Their emptyDir data is lost (--delete-emptydir-data)',
          consent: c,
        })),
        {
          canPickMany: true,
          placeHolder: `Node ${name}: some pods need your consent to be evicted (none picked: they stay)`,
        },
      );
      if (!picked) throw new Cancelled();
      options = {
        force: picked.some((p) => p.consent === 'force'),
        deleteEmptyDirData: picked.some((p) => p.consent === 'deleteEmptyDirData'),
      };
      plan = await planDrain(client, context, name, options);
    }
    const evicting = plan.filter((p) => p.verdict.action === 'evict');
    const staying = plan.filter((p) => p.verdict.action !== 'evict');
    const question = `Drain node "${name}" on context "${context}"? It is cordoned and ${evicting.length} pod${evicting.length === 1 ? '' : 's'} evicted.`;
    const detail = [
      'Evictions honour PodDisruptionBudgets: a pod a budget protects is retried until the time is up.',
      evicting.length ? `Evicted:\n${listed(evicting)}` : 'No pod to evict.',
      staying.length ? `Left on the node:\n${listed(staying)}` : '',
    ]
      .filter(Boolean)
      .join('\n\n');
    const confirm =
      opts.confirm ??
      ((q: string, d: string) =>
        vscode.window.showWarningMessage(q, { modal: true, detail: d }, 'Drain').then((c) => c === 'Drain'));
    if (!(await confirm(question, detail))) return undefined;
    const result = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Draining ${name} (${context})`, cancellable: true },
      async (progress, token) => {
        const abort = new AbortController();
        token.onCancellationRequested(() => abort.abort());
        return drainNode(client, context, name, {
          ...options,
          timeoutMs: opts.timeoutMs,
          retryMs: opts.retryMs,
          signal: abort.signal,
          onProgress: (p) =>
            progress.report({
              message: `${p.evicted}/${p.total} evicted${p.blocked.length ? ` · waiting on a disruption budget: ${p.blocked.join(', ')}` : ''}`,
            }),
        });
      },
    );
    const lines = drainSummary(result, context);
    this.log.info('nodes', lines.join('\n'));
    const message = lines[0]!;
    if (result.notEvicted.size > 0) {
      void vscode.window.showWarningMessage(message, { detail: lines.slice(1).join('\n') }, 'Show Log').then((c) => {
        if (c) this.log.show();
      });
    } else {
      void vscode.window.showInformationMessage(message);
    }
    return { message: lines.join('\n'), result };
  }
}
