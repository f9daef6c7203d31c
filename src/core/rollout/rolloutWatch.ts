/**
 * `kubectl rollout status` as a watch: one read of the object, then a `metadata.name=<name>` watch from the
 * resourceVersion that read returned (WatchedList: a dropped connection resumes from the last resourceVersion,
 * 410 Gone relists once). The failing-pods detail watches the workload's pods only while the rollout is not
 * done, and the warning events of at most five failing pods. No polling, no `vscode`.
 */
import type { BackoffOptions } from '../common/backoff';
import { realClock, type Clock, type TimerHandle } from '../common/clock';
import type { Disposable } from '../common/disposable';
import { silentLogger, type Logger } from '../common/logger';
import { KubeError } from '../kube/errors';
import { getObject } from '../objects/objectApi';
import type { KubeObject } from '../resources/kubeObject';
import { collectionOf, describeRef, objectPath, type ObjectRef } from '../resources/objectRef';
import { WatchedList } from '../watch/watchedList';
import { type Transport } from '../kube/transport';
import { type Row } from '../resources/rows';
import {
  labelSelectorOf,
  podProblem,
  rolloutKindOf,
  rolloutStatus,
  type RolloutKind,
  type RolloutStatus,
} from './rollout';

export interface FailingPod {
  name: string;
  problem: string;
  /** The latest warning events about the pod, newest last. */
  events: string[];
}

export interface RolloutSnapshot {
  status: RolloutStatus;
  failingPods: FailingPod[];
}

export type RolloutOutcome =
  | { outcome: 'done'; message: string }
  | { outcome: 'failed'; message: string; failingPods: FailingPod[] }
  | { outcome: 'timeout'; message: string; failingPods: FailingPod[] }
  | { outcome: 'cancelled'; message: string };

export interface FollowOptions {
  signal?: AbortSignal;
  /** Default 10 minutes, like `kubectl rollout status --timeout`. */
  timeoutMs?: number;
  /** Called when what the user sees changes (figures, message, failing pods). */
  onUpdate?: (snapshot: RolloutSnapshot) => void;
  clock?: Clock;
  log?: Logger;
  /** The watches' retry delays (tests shorten them). */
  backoff?: BackoffOptions;
  /**
   * A failure or timeout waits this long at most for the failing pods and their events to be listed, so the
   * message can name them (default 5 s).
   */
  detailWaitMs?: number;
}

/** kubectl shows a handful; a rollout with hundreds of broken pods does not need hundreds of event watches. */
const MAX_FAILING_PODS = 5;
const EVENTS_PER_POD = 3;

interface ObjectRow extends Row {
  readonly object: KubeObject;
}
interface PodRow extends Row {
  readonly problem: string | undefined;
}
interface EventRow extends Row {
  readonly text: string;
  readonly at: string;
}

function rowOf(obj: KubeObject): Row | undefined {
  const meta = obj.metadata as { uid?: string; name?: string; namespace?: string } | undefined;
  if (!meta?.uid) return undefined;
  return { uid: meta.uid, name: meta.name ?? '', namespace: meta.namespace };
}

function eventRow(obj: KubeObject): EventRow | undefined {
  const row = rowOf(obj);
  if (!row) return undefined;
  const e = obj as {
    reason?: string;
    message?: string;
    lastTimestamp?: string;
    eventTime?: string;
    series?: { lastObservedTime?: string };
    metadata?: { creationTimestamp?: string };
  };
  const at = e.series?.lastObservedTime ?? e.lastTimestamp ?? e.eventTime ?? e.metadata?.creationTimestamp ?? '';
  return { ...row, text: `${e.reason ?? ''}: ${e.message ?? ''}`.trim(), at };
}

/**
 * Follows the rollout of a Deployment, StatefulSet or DaemonSet until it is done, fails (progress deadline
 * exceeded, a strategy without rollout status), the time is up, or the signal aborts. A 404 on the first read,
 * or a watch the server refuses (403), rejects with that error; the object being deleted meanwhile rejects too.
 */
export async function followRollout(
  client: Transport,
  ref: ObjectRef,
  options: FollowOptions = {},
): Promise<RolloutOutcome> {
  const kind = rolloutKindOf(ref.plural);
  if (!kind) {
    throw new KubeError('invalid', `${describeRef(ref)} has no rollouts (only Deployments, StatefulSets, DaemonSets)`);
  }
  if (options.signal?.aborted) return { outcome: 'cancelled', message: CANCELLED };
  const object = await getObject(client, ref);
  return new RolloutFollower(client, ref, kind, object, options).result;
}

const CANCELLED = 'stopped following the rollout';

class RolloutFollower {
  readonly result: Promise<RolloutOutcome>;
  private resolve!: (outcome: RolloutOutcome) => void;
  private reject!: (err: unknown) => void;
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly timeoutMs: number;
  private readonly object: WatchedList<ObjectRow>;
  private pods: WatchedList<PodRow> | undefined;
  /** No selector: there are no pods to name. */
  private noPods = false;
  /** The warning events of each failing pod shown, by pod uid. */
  private readonly events = new Map<string, { list: WatchedList<EventRow>; subscription: Disposable }>();
  private readonly subscriptions: Disposable[] = [];
  private readonly timers: TimerHandle[] = [];
  private timedOut = false;
  private detailWaitOver = false;
  /** Decided (failed or timed out); waiting for the failing pods' detail before saying so. */
  private ending: { outcome: 'failed' | 'timeout'; message: string } | undefined;
  private settled = false;
  private scheduled = false;
  private lastReported = '';
  private readonly onAbort = (): void => this.finish({ outcome: 'cancelled', message: CANCELLED });

  constructor(
    private readonly client: Transport,
    private readonly ref: ObjectRef,
    private readonly kind: RolloutKind,
    read: KubeObject,
    private readonly options: FollowOptions,
  ) {
    this.result = new Promise<RolloutOutcome>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
    this.clock = options.clock ?? realClock;
    this.log = options.log ?? silentLogger;
    this.timeoutMs = options.timeoutMs ?? 10 * 60_000;
    const path = objectPath(ref);
    const resourceVersion = read.metadata?.resourceVersion;
    this.object = new WatchedList<ObjectRow>(
      client,
      path.slice(0, path.lastIndexOf('/')),
      (obj) => {
        const row = rowOf(obj);
        return row && { ...row, object: obj };
      },
      `the rollout of ${describeRef(ref, kind)}`,
      {
        log: this.log,
        clock: this.clock,
        backoff: options.backoff,
        fieldSelector: `metadata.name=${ref.name}`,
        initial: resourceVersion ? { items: [read], resourceVersion } : undefined,
      },
    );
    this.subscriptions.push(this.object.onDidChange(() => this.schedule()));
    options.signal?.addEventListener('abort', this.onAbort);
    if (options.signal?.aborted) {
      // Cancelled while the object was being read: an abort event that already fired never comes again.
      this.onAbort();
      return;
    }
    this.timers.push(
      this.clock.setTimeout(() => {
        this.timedOut = true;
        this.evaluate();
      }, this.timeoutMs),
    );
    this.object.start();
    // The read itself may already say done or failed: decide on it before any timer can fire.
    this.evaluate();
  }

  /** Several watches may fire in one burst; one evaluation for all of them. */
  private schedule(): void {
    if (this.scheduled || this.settled) return;
    this.scheduled = true;
    queueMicrotask(() => {
      this.scheduled = false;
      this.evaluate();
    });
  }

  private evaluate(): void {
    if (this.settled) return;
    const snap = this.object.snapshot();
    if (snap.state === 'failed') {
      this.fail(snap.error ?? new KubeError('other', `following the rollout of ${describeRef(this.ref)} failed`));
      return;
    }
    const current = snap.items[0]?.object;
    if (!current) {
      if (snap.state === 'ready') {
        this.fail(
          new KubeError('notFound', `${describeRef(this.ref, this.kind)} was deleted while its rollout was followed`),
        );
      }
      return;
    }
    if (!this.ending) {
      const status = rolloutStatus(this.kind, current);
      if (status.state === 'done') {
        this.report({ status, failingPods: [] });
        this.finish({ outcome: 'done', message: status.message });
        return;
      }
      this.watchPods(current);
      this.report({ status, failingPods: this.failingPods() });
      if (status.state === 'failed') this.ending = { outcome: 'failed', message: status.message };
      else if (this.timedOut) {
        this.ending = {
          outcome: 'timeout',
          message: `timed out waiting for the condition (${Math.round(this.timeoutMs / 1000)} s): ${status.message}`,
        };
      } else return;
      this.timers.push(
        this.clock.setTimeout(() => {
          this.detailWaitOver = true;
          this.evaluate();
        }, this.options.detailWaitMs ?? 5_000),
      );
    }
    const failingPods = this.failingPods();
    if (this.detailWaitOver || this.detailKnown()) this.finish({ ...this.ending, failingPods });
  }

  private report(snapshot: RolloutSnapshot): void {
    const key = JSON.stringify(snapshot);
    if (key === this.lastReported) return;
    this.lastReported = key;
    this.options.onUpdate?.(snapshot);
  }

  private watchPods(workload: KubeObject): void {
    if (this.pods || this.noPods) return;
    const selector = labelSelectorOf((workload.spec as { selector?: unknown } | undefined)?.selector);
    if (!selector) {
      this.noPods = true;
      return;
    }
    this.pods = new WatchedList<PodRow>(
      this.client,
      collectionOf('Pod', this.ref.namespace),
      (pod) => {
        const row = rowOf(pod);
        return row && { ...row, problem: podProblem(pod) };
      },
      `the pods of ${describeRef(this.ref, this.kind)}`,
      { log: this.log, clock: this.clock, backoff: this.options.backoff, labelSelector: selector },
    );
    this.subscriptions.push(this.pods.onDidChange(() => this.schedule()));
    this.pods.start();
  }

  /** The failing pods with their latest warning events; starts and stops the event watches to match. */
  private failingPods(): FailingPod[] {
    if (!this.pods) return [];
    const failing = this.pods
      .snapshot()
      .items.filter((p): p is PodRow & { problem: string } => p.problem !== undefined)
      .slice(0, MAX_FAILING_PODS);
    const wanted = new Set(failing.map((p) => p.uid));
    for (const [uid, watched] of this.events) {
      if (wanted.has(uid)) continue;
      watched.subscription.dispose();
      watched.list.dispose();
      this.events.delete(uid);
    }
    return failing.map((pod) => {
      let list = this.events.get(pod.uid)?.list;
      if (!list) {
        list = new WatchedList<EventRow>(
          this.client,
          collectionOf('Event', this.ref.namespace),
          eventRow,
          `the warning events of pod "${pod.name}"`,
          {
            log: this.log,
            clock: this.clock,
            backoff: this.options.backoff,
            fieldSelector: `involvedObject.uid=${pod.uid},type=Warning`,
          },
        );
        this.events.set(pod.uid, { list, subscription: list.onDidChange(() => this.schedule()) });
        list.start();
      }
      const events = [...list.snapshot().items]
        .sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0))
        .slice(-EVENTS_PER_POD)
        .map((e) => e.text);
      return { name: pod.name, problem: pod.problem, events };
    });
  }

  /** Whether the pods and the failing pods' events have been listed (or cannot be: a final error). */
  private detailKnown(): boolean {
    if (this.noPods) return true;
    const settledState = (state: string): boolean => state === 'ready' || state === 'failed';
    if (!this.pods || !settledState(this.pods.snapshot().state)) return false;
    return [...this.events.values()].every(({ list }) => settledState(list.snapshot().state));
  }

  private finish(outcome: RolloutOutcome): void {
    if (this.settled) return;
    this.close();
    this.resolve(outcome);
  }

  private fail(err: unknown): void {
    if (this.settled) return;
    this.close();
    this.reject(err);
  }

  private close(): void {
    this.settled = true;
    this.options.signal?.removeEventListener('abort', this.onAbort);
    for (const timer of this.timers) timer.cancel();
    for (const sub of this.subscriptions) sub.dispose();
    this.object.dispose();
    this.pods?.dispose();
    for (const { list, subscription } of this.events.values()) {
      subscription.dispose();
      list.dispose();
    }
    this.events.clear();
  }
}
