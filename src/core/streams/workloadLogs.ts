import type { Clock } from '../common/clock';
import type { Disposable } from '../common/disposable';
import type { Logger } from '../common/logger';
import { KubeError, toKubeError } from '../kube/errors';
import { kindInfo } from '../resources/kinds';
import { collectionOf, objectPath } from '../resources/objectRef';
import { WatchedList } from '../watch/watchedList';
import { type KubeObject } from '../resources/kubeObject';
import { type Transport } from '../kube/transport';
import { followContainerLog, type LogOptions, type LogStreamHandle } from './logFollower';

/** What to read logs of: the pods a selector picks in one namespace. */
export interface PodSelection {
  readonly namespace: string;
  readonly labelSelector?: string;
  readonly fieldSelector?: string;
  /** For messages: `Deployment "web"`. */
  readonly description: string;
}

export interface ContainerChoice {
  /** One container by name; undefined means every container. */
  readonly container?: string;
  readonly includeInit?: boolean;
}

export interface LogSource {
  readonly pod: string;
  readonly container: string;
}

export interface MultiLogSink {
  line(source: LogSource, text: string, timestamp: string | undefined): void;
  /** Optional, for throughput: several lines of one source at once (see LogStreamSink.lines). */
  lines?(source: LogSource, block: string): void;
  notice(message: string, source?: LogSource): void;
  /** Everything has ended (not following, or stopped); `error` when the whole request failed. */
  end(message: string | undefined, error?: KubeError): void;
}

interface PodRow {
  uid: string;
  name: string;
  namespace?: string;
  phase: string;
  deleting: boolean;
  containers: string[];
  initContainers: string[];
  created: string;
}

type PodObj = KubeObject & {
  metadata?: { creationTimestamp?: string; deletionTimestamp?: string };
  spec?: { containers?: { name: string }[]; initContainers?: { name: string }[] };
  status?: { phase?: string };
};

function toPodRow(obj: KubeObject): PodRow | undefined {
  const o = obj as PodObj;
  const uid = o.metadata?.uid;
  const name = o.metadata?.name;
  if (!uid || !name) return undefined;
  return {
    uid,
    name,
    namespace: o.metadata?.namespace,
    phase: o.status?.phase ?? 'Pending',
    deleting: Boolean(o.metadata?.deletionTimestamp),
    containers: (o.spec?.containers ?? []).map((c) => c.name),
    initContainers: (o.spec?.initContainers ?? []).map((c) => c.name),
    created: o.metadata?.creationTimestamp ?? '',
  };
}

/**
 * The logs of every pod a selector picks, merged: one follower per container, started as pods appear (a rolling
 * update's new pods are picked up while following) and stopped, with a notice, when a pod goes away.
 * Not following: the pods present at the first complete list, then it ends when their logs are read.
 */
export class WorkloadLogs implements Disposable {
  private readonly pods: WatchedList<PodRow>;
  private readonly streams = new Map<string, { handle: LogStreamHandle; source: LogSource }>();
  private readonly podsSeen = new Map<string, string>();
  private readonly terminating = new Set<string>();
  private initialDone = false;
  private disposed = false;
  private ended = false;

  constructor(
    private readonly transport: Transport,
    private readonly selection: PodSelection,
    private readonly choice: ContainerChoice,
    private readonly options: LogOptions,
    private readonly sink: MultiLogSink,
    private readonly deps: { log: Logger; clock?: Clock; idleTimeoutMs?: number },
  ) {
    this.pods = new WatchedList<PodRow>(
      transport,
      collectionOf('Pod', selection.namespace),
      toPodRow,
      `pods of ${selection.description}`,
      {
        log: deps.log,
        clock: deps.clock,
        labelSelector: selection.labelSelector,
        fieldSelector: selection.fieldSelector,
      },
    );
    this.pods.onDidChange(() => this.sync());
    this.pods.start();
  }

  /** How many container streams are open now (for tests and the status line). */
  get activeStreams(): number {
    return this.streams.size;
  }

  private sync(): void {
    if (this.disposed || this.ended) return;
    const snap = this.pods.snapshot();
    if (snap.state === 'failed' && snap.error) {
      this.finish(undefined, snap.error);
      return;
    }
    if (snap.state !== 'ready' && snap.state !== 'retrying') return;
    const following = this.options.follow && !this.options.previous;
    if (!following && this.initialDone) return;
    const initial = !this.initialDone;
    this.initialDone = true;

    if (initial && snap.items.length === 0 && !following) {
      this.finish(undefined, new KubeError('notFound', `${this.selection.description} has no pods`));
      return;
    }
    if (initial && snap.items.length === 0) {
      this.sink.notice(`${this.selection.description} has no pods yet; waiting for some to start.`);
    }

    const present = new Set<string>();
    const sorted = [...snap.items].sort((a, b) => a.created.localeCompare(b.created) || a.name.localeCompare(b.name));
    for (const pod of sorted) {
      present.add(pod.uid);
      if (pod.deleting && !this.terminating.has(pod.uid) && this.podsSeen.has(pod.uid)) {
        this.terminating.add(pod.uid);
        this.sink.notice(`Pod "${pod.name}" is terminating.`);
      }
      if (this.podsSeen.has(pod.uid)) continue;
      if (pod.phase === 'Pending') continue; // no log yet; picked up when it runs
      this.podsSeen.set(pod.uid, pod.name);
      const names = this.containersOf(pod);
      if (names.length === 0) {
        this.sink.notice(`Pod "${pod.name}" has no container "${this.choice.container ?? ''}".`);
        continue;
      }
      if (!initial) this.sink.notice(`Pod "${pod.name}" started; following its log.`);
      for (const container of names) this.open(pod, container, initial);
    }
    for (const [uid, name] of this.podsSeen) {
      if (present.has(uid)) continue;
      this.podsSeen.delete(uid);
      this.terminating.delete(uid);
      for (const [key, stream] of this.streams) {
        if (!key.startsWith(`${uid}/`)) continue;
        stream.handle.stop();
        this.streams.delete(key);
      }
      this.sink.notice(`Pod "${name}" is gone; its log ends here.`);
    }
    this.checkDone();
  }

  private containersOf(pod: PodRow): string[] {
    if (this.choice.container !== undefined) {
      const all = [...pod.initContainers, ...pod.containers];
      return all.includes(this.choice.container) ? [this.choice.container] : [];
    }
    return [...(this.choice.includeInit ? pod.initContainers : []), ...pod.containers];
  }

  private open(pod: PodRow, container: string, initial: boolean): void {
    const key = `${pod.uid}/${container}`;
    const source: LogSource = { pod: pod.name, container };
    // A pod that starts while following is read from its beginning, not from a tail or a time window.
    const options: LogOptions = initial
      ? this.options
      : { ...this.options, tailLines: undefined, sinceSeconds: undefined };
    const handle = followContainerLog(
      this.transport,
      { namespace: this.selection.namespace, pod: pod.name, container },
      options,
      {
        line: (text, timestamp) => this.sink.line(source, text, timestamp),
        lines: this.sink.lines ? (block) => this.sink.lines?.(source, block) : undefined,
        notice: (message) => this.sink.notice(message, source),
        end: (message, error) => {
          if (this.streams.get(key)?.handle !== handle) return;
          this.streams.delete(key);
          if (error) this.sink.notice(error.message, source);
          else if (message) this.sink.notice(message, source);
          this.checkDone();
        },
      },
      { log: this.deps.log, clock: this.deps.clock, idleTimeoutMs: this.deps.idleTimeoutMs ?? 300_000 },
    );
    this.streams.set(key, { handle, source });
  }

  private checkDone(): void {
    const following = this.options.follow && !this.options.previous;
    if (!following && this.initialDone && this.streams.size === 0) this.finish(undefined);
  }

  private finish(message: string | undefined, error?: KubeError): void {
    if (this.ended) return;
    this.ended = true;
    this.stopAll();
    this.sink.end(message, error);
  }

  private stopAll(): void {
    for (const stream of this.streams.values()) stream.handle.stop();
    this.streams.clear();
    this.pods.dispose();
  }

  /** Stops every stream and the pod watch. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (!this.ended) {
      this.ended = true;
      this.stopAll();
      this.sink.end('Stopped.');
    }
  }
}

/** `k=v,k2 in (a,b)`: a label selector from a LabelSelector object (matchLabels and matchExpressions). */
export function labelSelectorString(selector: {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
}): string {
  const parts = Object.entries(selector.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`);
  for (const e of selector.matchExpressions ?? []) {
    const values = (e.values ?? []).join(',');
    switch (e.operator) {
      case 'In':
        parts.push(`${e.key} in (${values})`);
        break;
      case 'NotIn':
        parts.push(`${e.key} notin (${values})`);
        break;
      case 'Exists':
        parts.push(e.key);
        break;
      case 'DoesNotExist':
        parts.push(`!${e.key}`);
        break;
    }
  }
  return parts.join(',');
}

/** A workload (or Service, or Pod) the user picked, as the kind and name the tree knows. */
export interface WorkloadRef {
  readonly namespace: string;
  readonly kind: string;
  readonly name: string;
}

/** The pods of a workload or Service as a selection, read from its spec.selector. */
export async function podSelectionOf(transport: Transport, ref: WorkloadRef): Promise<PodSelection> {
  const description = `${ref.kind} "${ref.name}"`;
  if (ref.kind === 'Pod') {
    return { namespace: ref.namespace, fieldSelector: `metadata.name=${ref.name}`, description: `pod "${ref.name}"` };
  }
  const kind = kindInfo(ref.kind);
  if (!kind || !kind.capabilities.includes('logs'))
    throw new KubeError('invalid', `${ref.kind} objects have no logs; choose a pod or a workload`);
  const path = objectPath({ context: '', ...kind, namespace: ref.namespace, name: ref.name });
  let obj: { spec?: { selector?: unknown } };
  try {
    obj = await transport.getJson(path, {}, `reading ${description} in namespace "${ref.namespace}"`);
  } catch (err) {
    throw toKubeError(err, `reading ${description} in namespace "${ref.namespace}"`);
  }
  const raw = obj.spec?.selector;
  let selector = '';
  if (ref.kind === 'Service') {
    selector = labelSelectorString({ matchLabels: (raw as Record<string, string> | undefined) ?? {} });
  } else if (raw && typeof raw === 'object') {
    selector = labelSelectorString(raw as Parameters<typeof labelSelectorString>[0]);
  }
  if (!selector) {
    throw new KubeError('invalid', `${description} in namespace "${ref.namespace}" has no selector, so it has no pods`);
  }
  return { namespace: ref.namespace, labelSelector: selector, description };
}
