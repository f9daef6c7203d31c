import { Backoff, type BackoffOptions } from '../common/backoff';
import { realClock, type Clock } from '../common/clock';
import type { Logger } from '../common/logger';
import { KubeError, toKubeError } from '../kube/errors';
import type { Transport } from '../kube/transport';
import { pathOf } from '../resources/objectRef';
import {
  compareTimestamps,
  isPlainTimestampedBlock,
  lastTimestampOfBlock,
  LineSplitter,
  sanitizeLogText,
  splitTimestamp,
} from './logText';

export interface ContainerRef {
  readonly namespace: string;
  readonly pod: string;
  readonly container: string;
}

export interface LogOptions {
  readonly follow: boolean;
  /** Show the API server's timestamp in front of each line (they are always requested, for resuming). */
  readonly timestamps: boolean;
  readonly sinceSeconds?: number;
  readonly tailLines?: number;
  /** The previous (terminated) instance of the container. Never followed. */
  readonly previous?: boolean;
  /** Lines longer than this are cut, with a marker. */
  readonly maxLineLength?: number;
}

export interface LogStreamSink {
  /** One line of the container's output, sanitised; `timestamp` as the API server sent it. */
  line(text: string, timestamp: string | undefined): void;
  /**
   * Optional, for throughput: several lines at once, as `<timestamp> <text>\n` each, the timestamp in the
   * kubelet's fixed-width form (KUBELET_TIMESTAMP_LENGTH characters) and the text already safe (what line()
   * would get). Lines that do not fit that form still come through line(); a sink without lines() gets only those.
   */
  lines?(block: string): void;
  /** Something the user should know about the stream (restart, resumed, ended), written as a sentence. */
  notice(message: string): void;
  /** The stream is over: `error` when it failed, otherwise `message` says why it ended (if known). */
  end(message: string | undefined, error?: KubeError): void;
}

export interface FollowDeps {
  log: Logger;
  clock?: Clock;
  backoff?: BackoffOptions;
  /** Silent connections are resumed after this long (logs can be quiet: keep it generous). */
  idleTimeoutMs?: number;
}

export interface LogStreamHandle {
  /** Stops the stream; `message`, when given, is passed to the sink's end(). */
  stop(message?: string): void;
  readonly done: Promise<void>;
}

interface ContainerStatus {
  name?: string;
  restartCount?: number;
  state?: {
    running?: object;
    waiting?: { reason?: string; message?: string };
    terminated?: { exitCode?: number; reason?: string };
  };
}

interface PodObject {
  metadata?: { name?: string; deletionTimestamp?: string };
  spec?: { containers?: { name: string }[]; initContainers?: { name: string }[]; restartPolicy?: string };
  status?: { phase?: string; containerStatuses?: ContainerStatus[]; initContainerStatuses?: ContainerStatus[] };
}

export function podPath(namespace: string, pod: string): string {
  return pathOf('Pod', namespace, pod);
}

/** The container's status in a pod object, and whether it is an init container. */
function statusOf(pod: PodObject, container: string): { status?: ContainerStatus; init: boolean } {
  const init = (pod.spec?.initContainers ?? []).some((c) => c.name === container);
  const list = init ? pod.status?.initContainerStatuses : pod.status?.containerStatuses;
  return { status: list?.find((s) => s.name === container), init };
}

/** Every container name of a pod, init containers first (as `kubectl logs` lists them). */
export function containerNames(pod: PodObject): { containers: string[]; initContainers: string[] } {
  return {
    containers: (pod.spec?.containers ?? []).map((c) => c.name),
    initContainers: (pod.spec?.initContainers ?? []).map((c) => c.name),
  };
}

/**
 * Where a dropped log stream resumes, and which of the lines it sends again were shown already. The API server's
 * `sinceTime` has second precision, so a resumed stream repeats the lines at the last timestamp shown: they are
 * skipped by text, consumed as they are matched. The resumed stream is the log's lines from sinceTime on, in the
 * order of the log file, and what was shown is a leading part of that same order; so once one line is new, every
 * later line is new too and needs no comparison. That keeps the per-line work of a long stream small.
 */
class ResumePoint {
  /** The latest timestamp shown. */
  private last: string | undefined;
  /** Texts already shown at `last`. */
  private atLast: string[] = [];
  /** While resuming: lines at `last` that may repeat. */
  private replay: string[] = [];
  private resuming = false;

  /** The `sinceTime` of a resumed stream (undefined before any timestamp was seen); starts skipping repeats. */
  resume(): string | undefined {
    if (this.last === undefined) return undefined;
    this.replay = [...this.atLast];
    this.resuming = true;
    return this.last;
  }

  get isResuming(): boolean {
    return this.resuming;
  }

  describe(): string {
    return this.last ?? 'the start';
  }

  /** Records a line; false when it is a repeat of a line shown before the resume (skip it). */
  accept(timestamp: string, text: string): boolean {
    if (this.last === undefined) {
      this.last = timestamp;
      this.atLast = [text];
    } else if (timestamp === this.last) {
      // Text equality, the common case of several lines in one instant, decides without parsing.
      if (this.resuming && this.consumeReplay(text)) return false;
      this.atLast.push(text);
    } else {
      const order = compareTimestamps(timestamp, this.last);
      if (order === 0) {
        if (this.resuming && this.consumeReplay(text)) return false;
        this.atLast.push(text);
      } else if (order > 0) {
        this.last = timestamp;
        this.atLast.length = 0; // reused: one array per stream, not one per line
        this.atLast.push(text);
      } else if (this.resuming) {
        return false; // before the resume point: shown already
      }
      // else: out of order in the log itself (stdout and stderr interleaved): shown; the resume point stays.
    }
    this.resuming = false;
    return true;
  }

  /** Records a whole block of timestamped lines (not while resuming): the resume point is the block's end. */
  acceptBlock(block: string): void {
    const end = lastTimestampOfBlock(block);
    const order = this.last === undefined ? 1 : compareTimestamps(end.timestamp, this.last);
    if (order > 0) {
      this.last = end.timestamp;
      this.atLast = end.texts;
    } else if (order === 0) {
      this.atLast.push(...end.texts);
    }
    // else: the block ends out of order (stdout and stderr interleaved): the resume point stays.
  }

  private consumeReplay(text: string): boolean {
    const seen = this.replay.indexOf(text);
    if (seen < 0) return false;
    this.replay.splice(seen, 1);
    return true;
  }
}

/** What to do after a follow stream ended: go on (at once, or after a pause), or stop (the sink was told). */
type Next = { wait: number } | 'again' | 'over';

/**
 * Follows the log of one container: `GET …/pods/{pod}/log?follow=true&timestamps=true&container=…`.
 * - bytes are split into lines safely (UTF-8 across chunks, long lines cut) and sanitised for a terminal;
 * - a dropped or silent connection resumes with `sinceTime` = the last timestamp seen (see ResumePoint);
 * - a container restart is announced and the new instance followed; a deleted pod or a container that exited
 *   for good ends the stream with a message.
 */
export class ContainerLogFollower implements LogStreamHandle {
  readonly done: Promise<void>;
  private readonly clock: Clock;
  private readonly backoff: Backoff;
  private readonly abort = new AbortController();
  private readonly where: string;
  private readonly resumePoint = new ResumePoint();
  private stopped = false;
  private stopMessage: string | undefined;
  private ended = false;
  private wake: (() => void) | undefined;
  private restarts = 0;

  constructor(
    private readonly transport: Transport,
    private readonly ref: ContainerRef,
    private readonly options: LogOptions,
    private readonly sink: LogStreamSink,
    private readonly deps: FollowDeps,
  ) {
    this.clock = deps.clock ?? realClock;
    this.backoff = new Backoff(deps.backoff ?? { initialMs: 500, maxMs: 10_000, factor: 2, jitter: 0.2 });
    this.where = `container "${ref.container}" of pod "${ref.pod}" in namespace "${ref.namespace}"`;
    this.done = this.run()
      .catch((err: unknown) => {
        if (!this.stopped) this.finish(undefined, toKubeError(err, `reading the log of ${this.where}`));
      })
      .finally(() => {
        if (this.stopped) this.finish(this.stopMessage);
      });
  }

  stop(message?: string): void {
    if (this.stopped) return;
    this.stopped = true;
    this.stopMessage = message;
    this.abort.abort();
    this.wake?.();
  }

  private finish(message: string | undefined, error?: KubeError): void {
    if (this.ended) return;
    this.ended = true;
    this.sink.end(message, error);
  }

  private readonly onLine = (raw: string): void => {
    if (this.stopped) return;
    const { timestamp, text } = splitTimestamp(raw);
    if (timestamp !== undefined && !this.resumePoint.accept(timestamp, text)) return;
    this.sink.line(sanitizeLogText(text), timestamp);
  };

  /**
   * Many lines at once (LineSplitter's onBlock), when nothing per line is needed: not resuming, and every line
   * timestamped and already safe. Returns false to have the block split into lines for onLine.
   */
  private readonly onBlock = (block: string): boolean => {
    if (this.stopped) return true;
    if (this.resumePoint.isResuming || !this.sink.lines || !isPlainTimestampedBlock(block)) return false;
    this.resumePoint.acceptBlock(block);
    this.sink.lines(block);
    return true;
  };

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = this.clock.setTimeout(() => {
        this.wake = undefined;
        resolve();
      }, ms);
      this.wake = () => {
        timer.cancel();
        this.wake = undefined;
        resolve();
      };
    });
  }

  private async readPod(): Promise<PodObject | undefined> {
    const { namespace, pod } = this.ref;
    try {
      return await this.transport.getJson<PodObject>(podPath(namespace, pod), { signal: this.abort.signal });
    } catch (err) {
      const e = toKubeError(err, `reading pod "${pod}" in namespace "${namespace}"`);
      if (e.kind === 'notFound') return undefined;
      throw e;
    }
  }

  /** Checks the container first: a wrong name gets the list of valid ones, not the server's terse 400. */
  private async checkContainer(): Promise<boolean> {
    const { namespace, pod: podName, container } = this.ref;
    let pod: PodObject | undefined;
    try {
      pod = await this.readPod();
    } catch (err) {
      if (!this.stopped) this.finish(undefined, toKubeError(err, `reading the log of ${this.where}`));
      return false;
    }
    if (this.stopped) return false;
    if (!pod) {
      this.finish(undefined, new KubeError('notFound', `Pod "${podName}" does not exist in namespace "${namespace}"`));
      return false;
    }
    const names = containerNames(pod);
    const all = [...names.initContainers, ...names.containers];
    if (!all.includes(container)) {
      this.finish(
        undefined,
        new KubeError(
          'notFound',
          `Pod "${podName}" has no container "${container}"; its containers are: ${all.join(', ') || 'none'}`,
        ),
      );
      return false;
    }
    this.restarts = statusOf(pod, container).status?.restartCount ?? 0;
    return true;
  }

  /** One log request, to its end; the failure that ended it, if any. */
  private async streamOnce(first: boolean): Promise<KubeError | undefined> {
    const { options } = this;
    const query: Record<string, string | number | boolean | undefined> = {
      container: this.ref.container,
      timestamps: true,
      follow: options.follow && !options.previous ? true : undefined,
      previous: options.previous ? true : undefined,
    };
    if (first) {
      query.tailLines = options.tailLines;
      query.sinceSeconds = options.sinceSeconds;
    } else {
      query.sinceTime = this.resumePoint.resume();
    }
    const splitter = new LineSplitter(this.onLine, options.maxLineLength, this.sink.lines ? this.onBlock : undefined);
    try {
      await this.transport.stream(
        `${podPath(this.ref.namespace, this.ref.pod)}/log`,
        { query, signal: this.abort.signal, idleTimeoutMs: options.follow ? this.deps.idleTimeoutMs : undefined },
        (chunk) => {
          this.backoff.reset();
          splitter.write(chunk);
        },
        `reading the log of ${this.where}`,
      );
      splitter.end();
      return undefined;
    } catch (err) {
      splitter.discard();
      return toKubeError(err, `reading the log of ${this.where}`);
    }
  }

  /** A follow stream ended: finds out why (the pod, the container's state) and says what comes next. */
  private async afterFollowEnded(failure: KubeError | undefined): Promise<Next> {
    const { pod: podName, container } = this.ref;
    let now: PodObject | undefined;
    try {
      now = await this.readPod();
    } catch (err) {
      const e = toKubeError(err, `reading pod "${podName}"`);
      if (!e.retryable) {
        this.finish(undefined, e);
        return 'over';
      }
      this.sink.notice(`Connection lost (${e.message}); retrying`);
      return { wait: this.backoff.next() };
    }
    if (this.stopped) return 'over';
    if (!now) {
      this.finish(`Pod "${podName}" was deleted; its log ends here.`);
      return 'over';
    }
    const { status, init } = statusOf(now, container);
    const count = status?.restartCount ?? 0;
    if (count > this.restarts) {
      this.restarts = count;
      this.sink.notice(`Container "${container}" of pod "${podName}" restarted (restart ${count}); following it.`);
      return 'again';
    }
    const terminated = status?.state?.terminated;
    if (terminated) {
      const phase = now.status?.phase;
      const policy = now.spec?.restartPolicy ?? 'Always';
      const final =
        phase === 'Succeeded' ||
        phase === 'Failed' ||
        now.metadata?.deletionTimestamp !== undefined ||
        policy === 'Never' ||
        (terminated.exitCode === 0 && (init || policy === 'OnFailure'));
      if (final) {
        const reason = terminated.reason ? `, ${terminated.reason}` : '';
        this.finish(`Container "${container}" exited with code ${terminated.exitCode ?? '?'}${reason}.`);
        return 'over';
      }
      return { wait: this.backoff.next() }; // it will restart: wait for the new instance
    }
    const from = this.resumePoint.describe();
    if (failure && failure.kind !== 'timeout') {
      this.deps.log.debug('logs', `${failure.message}; resuming ${this.where} from ${from}`);
      this.sink.notice(`Connection lost; resuming from ${from}.`);
      return { wait: this.backoff.next() };
    }
    // Ended by the server, or silent for idleTimeoutMs (a half-open connection looks the same as a quiet log).
    this.deps.log.debug('logs', `log stream of ${this.where} ended; resuming from ${from}`);
    return { wait: Math.min(this.backoff.next(), 2_000) };
  }

  private async run(): Promise<void> {
    if (!(await this.checkContainer())) return;
    for (let first = true; !this.stopped; first = false) {
      const failure = await this.streamOnce(first);
      if (this.stopped) return;
      if (failure && !failure.retryable) {
        this.finish(undefined, explainLogError(failure, this.ref, this.options));
        return;
      }
      if (!this.options.follow || this.options.previous) {
        this.finish(undefined, failure);
        return;
      }
      const next = await this.afterFollowEnded(failure);
      if (next === 'over') return;
      if (next !== 'again') await this.sleep(next.wait);
    }
  }
}

/** Starts following one container's log (see ContainerLogFollower). */
export function followContainerLog(
  transport: Transport,
  ref: ContainerRef,
  options: LogOptions,
  sink: LogStreamSink,
  deps: FollowDeps,
): LogStreamHandle {
  return new ContainerLogFollower(transport, ref, options, sink, deps);
}

/** The server's 400s for logs are terse; say what they mean. */
function explainLogError(error: KubeError, ref: ContainerRef, options: LogOptions): KubeError {
  const text = error.message;
  if (options.previous && (error.status === 400 || error.status === 404 || error.status === 500)) {
    return new KubeError(
      error.kind,
      `Container "${ref.container}" of pod "${ref.pod}" has no previous (terminated) instance whose log is kept: ${text}`,
      error.status,
      { cause: error },
    );
  }
  if (error.kind === 'forbidden') {
    return new KubeError(
      'forbidden',
      `You may not read logs in namespace "${ref.namespace}": reading them needs "get" on "pods/log". ${text}`,
      error.status,
      { cause: error },
    );
  }
  return error;
}
