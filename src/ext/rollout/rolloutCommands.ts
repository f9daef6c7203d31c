import * as vscode from 'vscode';
import { stringify } from 'yaml';
import type { SessionRegistry } from '../../core/watch/clusterSession';
import { KubeError, toKubeError } from '../../core/kube/errors';
import { getObject } from '../../core/objects/objectApi';
import type { ClusterClient } from '../../core/kube/clusterClient';
import { describeRef, type ObjectRef } from '../../core/resources/objectRef';
import {
  containersOf,
  isRolloutKind,
  progressText,
  replicasOf,
  RolloutError,
  type Revision,
} from '../../core/rollout/rollout';
import {
  history,
  restart,
  scale,
  setImage,
  setPaused,
  setSuspended,
  triggerCronJob,
  undo,
} from '../../core/rollout/rolloutApi';
import {
  followRollout,
  type FailingPod,
  type RolloutOutcome,
  type RolloutSnapshot,
} from '../../core/rollout/rolloutWatch';
import type { Guard } from '../guard';
import type { OutputLogger } from '../log';
import { Commands } from '../ids';
import type { CommandTable } from '../registerCommands';
import { objectTargetOf } from '../views/targets';

export type RolloutCommand =
  | typeof Commands.rolloutRestart
  | typeof Commands.rolloutPause
  | typeof Commands.rolloutResume
  | typeof Commands.rolloutUndo
  | typeof Commands.rolloutHistory
  | typeof Commands.rolloutStatus
  | typeof Commands.scaleWorkload
  | typeof Commands.setImage
  | typeof Commands.triggerCronJob
  | typeof Commands.suspendCronJob
  | typeof Commands.resumeCronJob;

/** The object a command is about: a tree item, or (for scripts and tests) `{ context, namespace, kind, name }`. */
export function workloadRef(arg: unknown): ObjectRef {
  const ref = objectTargetOf(arg)?.ref;
  if (ref) return ref;
  throw new KubeError('invalid', 'Choose a Deployment, StatefulSet, DaemonSet or CronJob in the Clusters view first');
}

function options<T>(arg: unknown): Partial<T> {
  return typeof arg === 'object' && arg !== null ? (arg as Partial<T>) : {};
}

/** What a command hands back (to tests and other extensions): the outcome, or undefined when the user declined. */
export interface ActionResult {
  message: string;
  rollout?: RolloutOutcome;
  /** The change was refused before anything was sent (kubectl's message). */
  refused?: boolean;
}

/** A change refused for a reason kubectl would give; nothing was sent. */
class Refused extends KubeError {
  constructor(message: string, cause: unknown) {
    super('invalid', message, undefined, { cause });
  }
}

/**
 * Rollouts, scaling, images and CronJobs. Inputs (revision, replica count, container and image, follow or not)
 * can be passed as the command's second argument, so scripts and tests drive them without pickers.
 */
export class RolloutActions implements vscode.Disposable {
  private readonly revisionDocs = new Map<string, string>();
  private readonly provider: vscode.Disposable;
  private readonly running = new Set<AbortController>();

  constructor(
    private readonly sessions: SessionRegistry,
    private readonly guard: Guard,
    private readonly log: OutputLogger,
  ) {
    this.provider = vscode.workspace.registerTextDocumentContentProvider(REVISION_SCHEME, {
      provideTextDocumentContent: (uri) => this.revisionDocs.get(uri.toString()) ?? '',
    });
  }

  private client(ref: ObjectRef): ClusterClient {
    return this.sessions.get(ref.context).client;
  }

  /** Runs one change: the guard first, kubectl-style refusals turned into messages naming the object. */
  private async change<T>(ref: ObjectRef, what: string, run: () => Promise<T>): Promise<T> {
    await this.guard.confirmChange(
      ref.context,
      `${what} ${(ref.kind ?? ref.plural).toLowerCase()} ${ref.namespace ?? ''}/${ref.name}`,
    );
    try {
      return await run();
    } catch (err) {
      if (err instanceof RolloutError) {
        throw new Refused(`${capital(what)} ${describeRef(ref)} failed: ${err.message}`, err);
      }
      throw err;
    }
  }

  /**
   * Follows the rollout in a cancellable progress notification (a watch of the object, see rolloutWatch.ts) and
   * says how it ended. Cancel stops following, not the rollout.
   */
  async follow(ref: ObjectRef, opts: { timeoutMs?: number } = {}): Promise<RolloutOutcome> {
    const title = `Rollout of ${ref.kind ?? ref.plural} "${ref.name}" (${ref.namespace ?? ''}, ${ref.context})`;
    const [outcome] = await this.withFollowProgress(title, [ref], opts, (snapshots) => {
      const snapshot = snapshots.get(ref);
      return snapshot ? snapshotText(snapshot) : undefined;
    });
    this.announce(ref, outcome!);
    return outcome!;
  }

  /**
   * Follows several rollouts (the workloads one apply changed) in ONE progress notification: one apply, one
   * notification to watch and one Cancel that stops following all of them, and one message at the end naming
   * each workload's outcome, instead of a stack of toasts that hide each other.
   */
  async followAll(refs: readonly ObjectRef[], opts: { timeoutMs?: number } = {}): Promise<FollowedRollout[]> {
    if (refs.length === 1) return [{ ref: refs[0]!, outcome: await this.follow(refs[0]!, opts) }];
    const context = refs[0]?.context ?? '';
    const title = `Rollouts of ${refs.length} workloads (${context})`;
    const ended = new Map<ObjectRef, RolloutOutcome>();
    const outcomes = await this.withFollowProgress(
      title,
      refs,
      opts,
      (snapshots) => {
        const doneCount = refs.filter((r) => ended.get(r)?.outcome === 'done').length;
        // The figures of the workloads still rolling out; finished ones are counted, not described.
        const open = refs
          .filter((r) => !ended.has(r))
          .map((r) => {
            const snapshot = snapshots.get(r);
            return `${r.name}: ${snapshot ? snapshotText(snapshot) : 'reading…'}`;
          });
        return [`${doneCount} of ${refs.length} done`, ...open].join(' · ');
      },
      (ref, outcome) => ended.set(ref, outcome),
    );
    const followed = refs.map((ref, i) => ({ ref, outcome: outcomes[i]! }));
    for (const { ref, outcome } of followed) {
      this.log.info('rollout', `${describeRef(ref)}: ${outcome.outcome}: ${outcome.message}`);
    }
    const lines = followed.map(
      ({ ref, outcome }) => `${ref.kind ?? ref.plural} "${ref.name}": ${outcomeText(outcome)}`,
    );
    const summary = `Rollouts on context ${context}: ${lines.join('; ')}.`;
    if (followed.some((f) => f.outcome.outcome === 'failed')) void vscode.window.showErrorMessage(summary);
    else if (followed.some((f) => f.outcome.outcome === 'timeout')) void vscode.window.showWarningMessage(summary);
    else if (followed.every((f) => f.outcome.outcome === 'done')) void vscode.window.showInformationMessage(summary);
    else vscode.window.setStatusBarMessage(`Stopped following ${refs.length} rollouts; the rollouts go on`, 5000);
    return followed;
  }

  /** One cancellable progress notification over the rollouts of `refs`; resolves with their outcomes in order. */
  private async withFollowProgress(
    title: string,
    refs: readonly ObjectRef[],
    opts: { timeoutMs?: number },
    describe: (snapshots: ReadonlyMap<ObjectRef, RolloutSnapshot>) => string | undefined,
    onEnded?: (ref: ObjectRef, outcome: RolloutOutcome) => void,
  ): Promise<RolloutOutcome[]> {
    return vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title, cancellable: true },
      async (progress, token) => {
        const abort = new AbortController();
        this.running.add(abort);
        const sub = token.onCancellationRequested(() => {
          this.log.info('rollout', `${title}: cancelled by the user; the rollout itself goes on`);
          abort.abort();
        });
        const snapshots = new Map<ObjectRef, RolloutSnapshot>();
        const show = (): void => {
          const message = describe(snapshots);
          if (message !== undefined) progress.report({ message });
        };
        try {
          return await Promise.all(
            refs.map(async (ref) => {
              let outcome: RolloutOutcome;
              try {
                outcome = await followRollout(this.client(ref), ref, {
                  signal: abort.signal,
                  timeoutMs: opts.timeoutMs,
                  log: this.log,
                  onUpdate: (snapshot) => {
                    snapshots.set(ref, snapshot);
                    show();
                  },
                });
              } catch (err) {
                // Alone, the error is the answer; among several, one workload that cannot be followed (deleted,
                // forbidden) is that workload's failure and must not hide how the others end.
                if (refs.length === 1) throw err;
                const error = toKubeError(err, `following the rollout of ${describeRef(ref)}`);
                outcome = { outcome: 'failed', message: error.message, failingPods: [] };
              }
              onEnded?.(ref, outcome);
              show();
              return outcome;
            }),
          );
        } finally {
          sub.dispose();
          this.running.delete(abort);
          abort.abort(); // nothing is left watching once the notification is gone
        }
      },
    );
  }

  /** The end of one followed rollout: the log line and kubectl's words in a notification. */
  private announce(ref: ObjectRef, outcome: RolloutOutcome): void {
    const detail =
      'failingPods' in outcome && outcome.failingPods.length > 0
        ? ` Failing pods: ${podsText(outcome.failingPods)}.`
        : '';
    this.log.info('rollout', `${describeRef(ref)}: ${outcome.outcome}: ${outcome.message}`);
    switch (outcome.outcome) {
      case 'done':
        void vscode.window.showInformationMessage(`${capital(outcome.message)} (context ${ref.context}).`);
        break;
      case 'failed':
        void vscode.window.showErrorMessage(`Rollout of ${describeRef(ref)} failed: ${outcome.message}.${detail}`);
        break;
      case 'timeout':
        void vscode.window.showWarningMessage(`Rollout of ${describeRef(ref)}: ${outcome.message}.${detail}`);
        break;
      case 'cancelled':
        vscode.window.setStatusBarMessage(`Stopped following the rollout of ${ref.name}; the rollout goes on`, 5000);
        break;
    }
  }

  private async afterChange(
    ref: ObjectRef,
    message: string,
    opts: { follow?: boolean; timeoutMs?: number },
  ): Promise<ActionResult> {
    this.log.info('rollout', `${message} (context ${ref.context})`);
    if (opts.follow === false || !isRolloutKind(ref.kind)) {
      vscode.window.setStatusBarMessage(message, 5000);
      return { message };
    }
    return { message, rollout: await this.follow(ref, opts) };
  }

  commands(): CommandTable<RolloutCommand> {
    const table = this.handlers();
    // A refusal kubectl would print (restart of a paused deployment, no revision to undo to, …) is shown without
    // waiting for the user and handed back as the result, so that callers (and tests) see it.
    for (const entry of Object.values(table)) {
      const run = entry.run;
      entry.run = async (...args: unknown[]) => {
        try {
          return await run(...args);
        } catch (err) {
          if (!(err instanceof Refused)) throw err;
          this.log.warn('rollout', err.message);
          void vscode.window.showErrorMessage(err.message);
          return { message: err.message, refused: true } satisfies ActionResult;
        }
      };
    }
    return table;
  }

  private handlers(): CommandTable<RolloutCommand> {
    type FollowOpts = { follow?: boolean; timeoutMs?: number };
    return {
      [Commands.rolloutRestart]: {
        title: 'restarting the rollout',
        run: async (arg, more) => {
          const ref = workloadRef(arg);
          const message = await this.change(ref, 'restarting', () => restart(this.client(ref), ref));
          return this.afterChange(ref, message, options<FollowOpts>(more));
        },
      },
      [Commands.rolloutPause]: {
        title: 'pausing the rollout',
        run: async (arg) => {
          const ref = workloadRef(arg);
          const message = await this.change(ref, 'pausing', () => setPaused(this.client(ref), ref, true));
          return this.afterChange(ref, message, { follow: false });
        },
      },
      [Commands.rolloutResume]: {
        title: 'resuming the rollout',
        run: async (arg, more) => {
          const ref = workloadRef(arg);
          const message = await this.change(ref, 'resuming', () => setPaused(this.client(ref), ref, false));
          return this.afterChange(ref, message, options<FollowOpts>(more));
        },
      },
      [Commands.rolloutUndo]: {
        title: 'rolling back',
        run: async (arg, more) => {
          const ref = workloadRef(arg);
          const opts = options<FollowOpts & { toRevision: number }>(more);
          let toRevision = opts.toRevision;
          if (toRevision === undefined) {
            toRevision = await this.pickRevision(ref, 'Roll back to which revision?', true);
            if (toRevision === undefined) return undefined;
          }
          const message = await this.change(ref, 'rolling back', () => undo(this.client(ref), ref, toRevision));
          if (/skipped rollback/.test(message)) {
            void vscode.window.showInformationMessage(`${message} (context ${ref.context}).`);
            return { message };
          }
          return this.afterChange(ref, message, opts);
        },
      },
      [Commands.rolloutStatus]: {
        title: 'following the rollout',
        run: async (arg, more) => {
          const ref = workloadRef(arg);
          const outcome = await this.follow(ref, options<FollowOpts>(more));
          return { message: outcome.message, rollout: outcome };
        },
      },
      [Commands.rolloutHistory]: {
        title: 'showing the rollout history',
        run: (arg, more) => this.history(workloadRef(arg), options<{ compare: [number, number] }>(more).compare),
      },
      [Commands.scaleWorkload]: {
        title: 'scaling',
        run: async (arg, more) => {
          const ref = workloadRef(arg);
          const opts = options<FollowOpts & { replicas: number }>(more);
          let replicas = opts.replicas;
          if (replicas === undefined) {
            const current = replicasOf(await getObject(this.client(ref), ref));
            const text = await vscode.window.showInputBox({
              title: `Scale ${ref.kind ?? ref.plural} ${ref.namespace ?? ''}/${ref.name} (${ref.context})`,
              prompt: `Number of replicas (now ${current})`,
              value: String(current),
              validateInput: (v) => (/^\d+$/.test(v.trim()) ? undefined : 'A whole number, 0 or more'),
            });
            if (text === undefined) return undefined;
            replicas = Number(text.trim());
          }
          const count = replicas;
          const message = await this.change(ref, 'scaling', () => scale(this.client(ref), ref, count));
          return this.afterChange(ref, message, { follow: opts.follow ?? false, timeoutMs: opts.timeoutMs });
        },
      },
      [Commands.setImage]: {
        title: 'setting the image',
        run: async (arg, more) => {
          const ref = workloadRef(arg);
          const opts = options<FollowOpts & { container: string; image: string }>(more);
          let { container, image } = opts;
          if (container === undefined || image === undefined) {
            const containers = containersOf(await getObject(this.client(ref), ref));
            const picked =
              containers.length === 1
                ? containers[0]
                : await vscode.window
                    .showQuickPick(
                      containers.map((c) => ({
                        label: c.name,
                        description: c.image,
                        detail: c.init ? 'init container' : undefined,
                        c,
                      })),
                      { placeHolder: 'Container whose image to set' },
                    )
                    .then((p) => p?.c);
            if (!picked) return undefined;
            container = picked.name;
            image = await vscode.window.showInputBox({
              title: `Image of container ${picked.name} in ${ref.name}`,
              value: picked.image,
              validateInput: (v) => (v.trim() ? undefined : 'An image reference, such as nginx:1.29'),
            });
            if (image === undefined) return undefined;
          }
          const [c, i] = [container, image];
          const message = await this.change(ref, 'setting the image of', () => setImage(this.client(ref), ref, c, i));
          return this.afterChange(ref, message, opts);
        },
      },
      [Commands.triggerCronJob]: {
        title: 'running the CronJob now',
        run: async (arg) => {
          const ref = workloadRef(arg);
          const job = await this.change(ref, 'running a Job from', () => triggerCronJob(this.client(ref), ref));
          const message = `job.batch/${job} created`;
          this.log.info('rollout', `${message} from ${describeRef(ref)}`);
          void vscode.window.showInformationMessage(
            `Job "${job}" created from CronJob "${ref.name}" (${ref.context}).`,
          );
          return { message, job };
        },
      },
      [Commands.suspendCronJob]: {
        title: 'suspending the CronJob',
        run: async (arg) => {
          const ref = workloadRef(arg);
          await this.change(ref, 'suspending', () => setSuspended(this.client(ref), ref, true));
          return this.afterChange(ref, `cronjob.batch/${ref.name} suspended`, { follow: false });
        },
      },
      [Commands.resumeCronJob]: {
        title: 'resuming the CronJob',
        run: async (arg) => {
          const ref = workloadRef(arg);
          await this.change(ref, 'resuming', () => setSuspended(this.client(ref), ref, false));
          return this.afterChange(ref, `cronjob.batch/${ref.name} resumed`, { follow: false });
        },
      },
    };
  }

  private async pickRevision(ref: ObjectRef, placeHolder: string, offerPrevious: boolean): Promise<number | undefined> {
    const { revisions } = await history(this.client(ref), ref);
    const latest = revisions.at(-1)?.revision;
    const items = [
      ...(offerPrevious ? [{ label: 'Previous revision', description: 'like kubectl rollout undo', revision: 0 }] : []),
      ...[...revisions].reverse().map((r) => ({
        label: `Revision ${r.revision}${r.revision === latest ? ' (current)' : ''}`,
        description: r.changeCause ?? '<none>',
        detail: imagesOf(r),
        revision: r.revision,
      })),
    ];
    const picked = await vscode.window.showQuickPick(items, { placeHolder });
    return picked?.revision;
  }

  /**
   * The revision history as a picker (revision, change cause, images); two chosen revisions open as a diff of
   * their pod templates. `compare` skips the pickers. Returns the revisions.
   */
  private async history(
    ref: ObjectRef,
    compare?: [number, number],
  ): Promise<{ revision: number; changeCause?: string }[]> {
    const { revisions } = await history(this.client(ref), ref);
    const summary = revisions.map((r) => ({ revision: r.revision, changeCause: r.changeCause }));
    let pair = compare;
    if (!pair) {
      const from = await this.pickRevision(ref, `History of ${ref.name}: choose a revision to compare`, false);
      if (from === undefined) return summary;
      const latest = revisions.at(-1)?.revision ?? from;
      const to = await this.pickRevision(ref, `Compare revision ${from} with…`, false);
      pair = [from, to ?? latest];
    }
    const [a, b] = pair.map((n) => revisions.find((r) => r.revision === n));
    if (!a || !b)
      throw new KubeError('notFound', `Revision ${pair.join(' or ')} is not in the history of ${describeRef(ref)}`);
    const left = this.revisionUri(ref, a);
    const right = this.revisionUri(ref, b);
    await vscode.commands.executeCommand(
      'vscode.diff',
      left,
      right,
      `${ref.name}: revision ${a.revision} ↔ ${b.revision} (${ref.context})`,
    );
    return summary;
  }

  private revisionUri(ref: ObjectRef, r: Revision): vscode.Uri {
    const uri = vscode.Uri.from({
      scheme: REVISION_SCHEME,
      path: `/${encodeURIComponent(ref.context)}/${ref.namespace ?? '_'}/${ref.name}/revision-${r.revision}.yaml`,
    });
    const header = `# ${ref.kind ?? ''} ${ref.namespace ?? ''}/${ref.name}, revision ${r.revision}\n# change-cause: ${r.changeCause ?? '<none>'}\n`;
    this.revisionDocs.set(uri.toString(), header + stringify({ template: r.template }));
    return uri;
  }

  dispose(): void {
    for (const abort of this.running) abort.abort();
    this.provider.dispose();
    this.revisionDocs.clear();
  }
}

export const REVISION_SCHEME = 'kubeWorkbench-revision';

/** One workload's rollout, followed after an apply. */
export interface FollowedRollout {
  ref: ObjectRef;
  outcome: RolloutOutcome;
}

/** "2/3 updated · 3 ready · 2 available · Waiting for … · web-abc: Unschedulable — FailedScheduling: …" */
function snapshotText({ status, failingPods }: RolloutSnapshot): string {
  const pods = failingPods.map((p) => `${p.name}: ${p.problem}${p.events.length ? ` — ${p.events.at(-1)}` : ''}`);
  return [progressText(status.progress), status.message, ...pods].join(' · ');
}

function podsText(pods: readonly FailingPod[]): string {
  return pods.map((p) => `${p.name} (${p.problem}${p.events.length ? `; ${p.events.join('; ')}` : ''})`).join(', ');
}

function outcomeText(outcome: RolloutOutcome): string {
  const pods =
    'failingPods' in outcome && outcome.failingPods.length > 0
      ? ` (failing pods: ${podsText(outcome.failingPods)})`
      : '';
  switch (outcome.outcome) {
    case 'done':
      return outcome.message;
    case 'failed':
      return `failed: ${outcome.message}${pods}`;
    case 'timeout':
      return `${outcome.message}${pods}`;
    case 'cancelled':
      return 'no longer followed';
  }
}

function imagesOf(r: Revision): string {
  const spec = (r.template.spec ?? {}) as { containers?: { name?: string; image?: string }[] };
  return (spec.containers ?? []).map((c) => `${c.name ?? ''}=${c.image ?? ''}`).join(', ');
}

function capital(text: string): string {
  return text.length === 0 ? text : text[0]!.toUpperCase() + text.slice(1);
}
