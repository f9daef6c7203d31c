import { Backoff, type BackoffOptions } from '../common/backoff';
import { realClock, type Clock } from '../common/clock';
import type { Logger } from '../common/logger';
import { KubeError, toKubeError } from '../kube/errors';
import type { Transport } from '../kube/transport';
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
  return `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(pod)}`;
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
 * Follows the log of one container: `GET …/pods/{pod}/log?follow=true&timestamps=true&container=…`.
 * - bytes are split into lines safely (UTF-8 across chunks, long lines cut) and sanitised for a terminal;
 * - a dropped or silent connection resumes with `sinceTime` = the last timestamp seen, and lines at that same
 *   timestamp that were already shown are skipped (the API server's sinceTime has second precision);
 * - a container restart is announced and the new instance followed; a deleted pod or a container that exited
 *   for good ends the stream with a message.
 */
export function followContainerLog(
  transport: Transport,
  ref: ContainerRef,
  options: LogOptions,
  sink: LogStreamSink,
  deps: FollowDeps,
): LogStreamHandle {
  const clock = deps.clock ?? realClock;
  const backoff = new Backoff(deps.backoff ?? { initialMs: 500, maxMs: 10_000, factor: 2, jitter: 0.2 });
  const abort = new AbortController();
  const where = `container "${ref.container}" of pod "${ref.pod}" in namespace "${ref.namespace}"`;
  let stopped = false;
  let stopMessage: string | undefined;
  let ended = false;
  let wake: (() => void) | undefined;

  /** The latest timestamp shown: where a dropped stream resumes. */
  let lastTimestamp: string | undefined;
  /** Texts already shown at lastTimestamp, to skip them when a resumed stream sends them again. */
  let atLast: string[] = [];
  /**
   * While resuming: lines at lastTimestamp that may repeat, consumed as they are matched. `resuming` ends at
   * the first line that was not shown before. The resumed stream is the log's lines from sinceTime on, in the
   * order of the log file, and what was shown is a leading part of that same order; so once one line is new,
   * every later line is new too and needs no comparison. That keeps the per-line work of a long stream small.
   */
  let replay: string[] = [];
  let resuming = false;

  const finish = (message: string | undefined, error?: KubeError): void => {
    if (ended) return;
    ended = true;
    sink.end(message, error);
  };

  const onLine = (raw: string): void => {
    if (stopped) return;
    const { timestamp, text } = splitTimestamp(raw);
    if (timestamp !== undefined) {
      if (lastTimestamp === undefined) {
        lastTimestamp = timestamp;
        atLast = [text];
      } else if (timestamp === lastTimestamp) {
        // Text equality, the common case of several lines in one instant, decides without parsing.
        if (resuming && consumeReplay(text)) return;
        atLast.push(text);
      } else {
        const order = compareTimestamps(timestamp, lastTimestamp);
        if (order === 0) {
          if (resuming && consumeReplay(text)) return;
          atLast.push(text);
        } else if (order > 0) {
          lastTimestamp = timestamp;
          atLast.length = 0; // reused: one array per stream, not one per line
          atLast.push(text);
        } else if (resuming) {
          return; // before the resume point: shown already
        }
        // else: out of order in the log itself (stdout and stderr interleaved): shown; the resume point stays.
      }
      resuming = false;
    }
    sink.line(sanitizeLogText(text), timestamp);
  };

  /**
   * Many lines at once (LineSplitter's onBlock), when nothing per line is needed: not resuming, and every line
   * timestamped and already safe. The resume point is taken from the block's end. Returns false to have the
   * block split into lines for onLine.
   */
  const onBlock = (block: string): boolean => {
    if (stopped) return true;
    if (resuming || !sink.lines || !isPlainTimestampedBlock(block)) return false;
    const end = lastTimestampOfBlock(block);
    const order = lastTimestamp === undefined ? 1 : compareTimestamps(end.timestamp, lastTimestamp);
    if (order > 0) {
      lastTimestamp = end.timestamp;
      atLast = end.texts;
    } else if (order === 0) {
      atLast.push(...end.texts);
    }
    // else: the block ends out of order (stdout and stderr interleaved): the resume point stays, as in onLine.
    sink.lines(block);
    return true;
  };

  /** Whether `text` is one of the lines at lastTimestamp shown before the stream was resumed (then skip it). */
  const consumeReplay = (text: string): boolean => {
    const seen = replay.indexOf(text);
    if (seen < 0) return false;
    replay.splice(seen, 1);
    return true;
  };

  const sleep = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      const timer = clock.setTimeout(() => {
        wake = undefined;
        resolve();
      }, ms);
      wake = () => {
        timer.cancel();
        wake = undefined;
        resolve();
      };
    });

  const readPod = async (): Promise<PodObject | undefined> => {
    try {
      return await transport.getJson<PodObject>(podPath(ref.namespace, ref.pod), { signal: abort.signal });
    } catch (err) {
      const e = toKubeError(err, `reading pod "${ref.pod}" in namespace "${ref.namespace}"`);
      if (e.kind === 'notFound') return undefined;
      throw e;
    }
  };

  const run = async (): Promise<void> => {
    // Check the container first: a wrong name gets the list of valid ones, not the server's terse 400.
    let pod: PodObject | undefined;
    try {
      pod = await readPod();
    } catch (err) {
      if (!stopped) finish(undefined, toKubeError(err, `reading the log of ${where}`));
      return;
    }
    if (stopped) return;
    if (!pod) {
      finish(undefined, new KubeError('notFound', `Pod "${ref.pod}" does not exist in namespace "${ref.namespace}"`));
      return;
    }
    const names = containerNames(pod);
    const all = [...names.initContainers, ...names.containers];
    if (!all.includes(ref.container)) {
      finish(
        undefined,
        new KubeError(
          'notFound',
          `Pod "${ref.pod}" has no container "${ref.container}"; its containers are: ${all.join(', ') || 'none'}`,
        ),
      );
      return;
    }
    let restarts = statusOf(pod, ref.container).status?.restartCount ?? 0;
    let first = true;

    while (!stopped) {
      const query: Record<string, string | number | boolean | undefined> = {
        container: ref.container,
        timestamps: true,
        follow: options.follow && !options.previous ? true : undefined,
        previous: options.previous ? true : undefined,
      };
      if (first) {
        query.tailLines = options.tailLines;
        query.sinceSeconds = options.sinceSeconds;
      } else if (lastTimestamp !== undefined) {
        query.sinceTime = lastTimestamp;
        replay = [...atLast];
        resuming = true;
      }
      const splitter = new LineSplitter(onLine, options.maxLineLength, sink.lines ? onBlock : undefined);
      let failure: KubeError | undefined;
      try {
        await transport.stream(
          `${podPath(ref.namespace, ref.pod)}/log`,
          { query, signal: abort.signal, idleTimeoutMs: options.follow ? deps.idleTimeoutMs : undefined },
          (chunk) => {
            backoff.reset();
            splitter.write(chunk);
          },
          `reading the log of ${where}`,
        );
      } catch (err) {
        failure = toKubeError(err, `reading the log of ${where}`);
      }
      if (failure) splitter.discard();
      else splitter.end();
      first = false;
      if (stopped) return;
      if (failure && !failure.retryable) {
        finish(undefined, explainLogError(failure, ref, options));
        return;
      }
      if (!options.follow || options.previous) {
        if (failure) finish(undefined, failure);
        else finish(undefined);
        return;
      }
      // The stream ended while following: find out why.
      let now: PodObject | undefined;
      try {
        now = await readPod();
      } catch (err) {
        const e = toKubeError(err, `reading pod "${ref.pod}"`);
        if (!e.retryable) {
          finish(undefined, e);
          return;
        }
        sink.notice(`Connection lost (${e.message}); retrying`);
        await sleep(backoff.next());
        continue;
      }
      if (stopped) return;
      if (!now) {
        finish(`Pod "${ref.pod}" was deleted; its log ends here.`);
        return;
      }
      const { status, init } = statusOf(now, ref.container);
      const count = status?.restartCount ?? 0;
      if (count > restarts) {
        restarts = count;
        sink.notice(`Container "${ref.container}" of pod "${ref.pod}" restarted (restart ${count}); following it.`);
        continue;
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
          finish(`Container "${ref.container}" exited with code ${terminated.exitCode ?? '?'}${reason}.`);
          return;
        }
        // It will restart: wait for the new instance.
        await sleep(backoff.next());
        continue;
      }
      if (failure && failure.kind !== 'timeout') {
        deps.log.debug('logs', `${failure.message}; resuming ${where} from ${lastTimestamp ?? 'the start'}`);
        sink.notice(`Connection lost; resuming from ${lastTimestamp ?? 'the start'}.`);
        await sleep(backoff.next());
      } else {
        // Ended by the server, or silent for idleTimeoutMs (a half-open connection looks the same as a quiet log).
        deps.log.debug('logs', `log stream of ${where} ended; resuming from ${lastTimestamp ?? 'the start'}`);
        await sleep(Math.min(backoff.next(), 2_000));
      }
    }
  };

  const done = run()
    .catch((err: unknown) => {
      if (!stopped) finish(undefined, toKubeError(err, `reading the log of ${where}`));
    })
    .finally(() => {
      if (stopped) finish(stopMessage);
    });

  return {
    stop(message?: string) {
      if (stopped) return;
      stopped = true;
      stopMessage = message;
      abort.abort();
      wake?.();
    },
    done,
  };
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
