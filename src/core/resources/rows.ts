import type { KubeObject } from './kubeObject';
import { cpuMillis, memoryBytes, sumContainerResources, type Amounts } from './quantity';
import { parseLabelSelector } from './labelSelector';

/** What every row of a watched list has: the identity the cache sorts and replaces by. */
export interface Row {
  readonly uid: string;
  readonly name: string;
  readonly namespace?: string;
}

export type Health = 'ok' | 'progressing' | 'warning' | 'error' | 'unknown';

/** The small per-object model the tree keeps (a few hundred bytes, not the 4 KB object). */
export interface ResourceRow extends Row {
  readonly kind: string;
  readonly created?: string;
  /** One line for the tree item's description, e.g. "Running 2/2 · 3 restarts". */
  readonly status: string;
  readonly health: Health;
  /** uids of controller/owner objects, to show a Deployment's ReplicaSets and a ReplicaSet's Pods. */
  readonly ownerUids?: readonly string[];
  /** The controlling owner as `Kind/name` (`ReplicaSet/web-7f5cc5fd85`), for answers that name it. */
  readonly controller?: string;
  readonly labels?: Readonly<Record<string, string>>;
  /** A Service's selector, or a workload's matchLabels. */
  readonly selector?: Readonly<Record<string, string>>;
  /** Pods: the node they run on. */
  readonly nodeName?: string;
  /** Pods: the sum of their containers' requests and limits (millicores, bytes), where every container sets one. */
  readonly requests?: Amounts;
  readonly limits?: Amounts;
  /** Nodes: what pods may use (status.allocatable), for the percentages `kubectl top node` shows. */
  readonly allocatable?: Amounts;
}

type Obj = KubeObject & { spec?: Record<string, unknown>; status?: Record<string, unknown> };

function num(value: unknown): number {
  return typeof value === 'number' ? value : 0;
}

function arr(value: unknown): Record<string, unknown>[] {
  return Array.isArray(value) ? (value as Record<string, unknown>[]) : [];
}

function summarisePod(obj: Obj): { status: string; health: Health } {
  const status = obj.status ?? {};
  const statuses = arr(status.containerStatuses);
  const containers = arr(obj.spec?.containers).length;
  const ready = statuses.filter((c) => c.ready === true).length;
  const restarts = statuses.reduce((sum, c) => sum + num(c.restartCount), 0);
  let phase = typeof status.phase === 'string' ? status.phase : 'Pending';
  // A waiting reason (CrashLoopBackOff, ImagePullBackOff) tells more than the phase, as kubectl shows it.
  for (const c of statuses) {
    const waiting = (c.state as { waiting?: { reason?: string } } | undefined)?.waiting;
    if (waiting?.reason) phase = waiting.reason;
  }
  if ((obj.metadata as { deletionTimestamp?: string } | undefined)?.deletionTimestamp) phase = 'Terminating';
  const parts = [`${phase} ${ready}/${containers}`];
  if (restarts > 0) parts.push(`${restarts} restart${restarts === 1 ? '' : 's'}`);
  const health: Health =
    phase === 'Succeeded'
      ? 'ok'
      : phase === 'Running' && ready === containers
        ? 'ok'
        : phase === 'Pending' || phase === 'ContainerCreating' || phase === 'Terminating' || phase === 'Running'
          ? 'progressing'
          : 'error';
  return { status: parts.join(' · '), health };
}

function summariseReplicated(obj: Obj): { status: string; health: Health } {
  const desired = typeof obj.spec?.replicas === 'number' ? obj.spec.replicas : 1;
  const ready = num(obj.status?.readyReplicas);
  const paused = obj.spec?.paused === true;
  const status = `${ready}/${desired} ready${paused ? ' · paused' : ''}`;
  return { status, health: ready >= desired ? 'ok' : ready === 0 && desired > 0 ? 'warning' : 'progressing' };
}

function summariseDaemonSet(obj: Obj): { status: string; health: Health } {
  const desired = num(obj.status?.desiredNumberScheduled);
  const ready = num(obj.status?.numberReady);
  return { status: `${ready}/${desired} ready`, health: ready >= desired ? 'ok' : 'progressing' };
}

function summariseNode(obj: Obj): { status: string; health: Health } {
  const ready = arr(obj.status?.conditions).find((c) => c.type === 'Ready');
  const unschedulable = obj.spec?.unschedulable === true;
  const isReady = ready?.status === 'True';
  const text = `${isReady ? 'Ready' : 'NotReady'}${unschedulable ? ' · SchedulingDisabled' : ''}`;
  return { status: text, health: isReady ? (unschedulable ? 'warning' : 'ok') : 'error' };
}

function summariseNamespace(obj: Obj): { status: string; health: Health } {
  const phase = typeof obj.status?.phase === 'string' ? obj.status.phase : 'Active';
  return { status: phase === 'Active' ? '' : phase, health: phase === 'Active' ? 'ok' : 'warning' };
}

const SUMMARISERS: Record<string, (obj: Obj) => { status: string; health: Health }> = {
  Pod: summarisePod,
  Deployment: summariseReplicated,
  StatefulSet: summariseReplicated,
  ReplicaSet: summariseReplicated,
  DaemonSet: summariseDaemonSet,
  Node: summariseNode,
  Namespace: summariseNamespace,
};

/**
 * One copy of each short string and label map the rows of a big list repeat: namespaces, statuses, node names,
 * controllers, creation seconds, label keys and values (a ReplicaSet's pods share all of their labels). JSON.parse
 * makes a new string for every occurrence; 50,000 pods hold the same few hundred values. Bounded: when full it
 * starts over (rows keep what they have; only sharing with later rows is lost).
 */
const INTERN_LIMIT = 4096;
const internedStrings = new Map<string, string>();
const internedMaps = new Map<string, Readonly<Record<string, string>>>();

function intern(value: string): string;
function intern(value: string | undefined): string | undefined;
function intern(value: string | undefined): string | undefined {
  if (value === undefined || value.length > 64) return value;
  const known = internedStrings.get(value);
  if (known !== undefined) return known;
  if (internedStrings.size >= INTERN_LIMIT) internedStrings.clear();
  internedStrings.set(value, value);
  return value;
}

function internMap(map: Record<string, string> | undefined): Readonly<Record<string, string>> | undefined {
  if (!map) return undefined;
  let key = '';
  for (const k in map) key += `${k}\u0000${map[k]}\u0000`;
  if (key.length > 512) return map;
  const known = internedMaps.get(key);
  if (known) return known;
  if (internedMaps.size >= INTERN_LIMIT) internedMaps.clear();
  const shared: Record<string, string> = {};
  for (const k in map) shared[intern(k)] = intern(map[k]!);
  Object.freeze(shared);
  internedMaps.set(key, shared);
  return shared;
}

/** Projects a full object to its row; `kind` is passed in since list items often lack it. */
export function toRow(kind: string, obj: KubeObject): ResourceRow | undefined {
  const meta = obj.metadata;
  if (!meta?.uid || !meta.name) return undefined;
  const summary = SUMMARISERS[kind]?.(obj as Obj) ?? { status: '', health: 'unknown' as Health };
  const spec = (obj as Obj).spec;
  const owners = Array.isArray(meta.ownerReferences)
    ? (meta.ownerReferences as { uid?: string }[]).map((o) => o.uid).filter((u): u is string => typeof u === 'string')
    : undefined;
  const controllerRef = Array.isArray(meta.ownerReferences)
    ? (meta.ownerReferences as { kind?: unknown; name?: unknown; controller?: unknown }[]).find(
        (o) => o.controller === true && typeof o.kind === 'string' && typeof o.name === 'string',
      )
    : undefined;
  const selector =
    kind === 'Service'
      ? stringMap(spec?.selector)
      : stringMap((spec?.selector as { matchLabels?: unknown } | undefined)?.matchLabels);
  return {
    uid: meta.uid,
    name: meta.name,
    namespace: intern(meta.namespace),
    kind,
    created: typeof meta.creationTimestamp === 'string' ? intern(meta.creationTimestamp) : undefined,
    status: intern(summary.status),
    health: summary.health,
    ownerUids: owners && owners.length > 0 ? owners.map((uid) => intern(uid)) : undefined,
    controller: controllerRef ? intern(`${String(controllerRef.kind)}/${String(controllerRef.name)}`) : undefined,
    labels: internMap(stringMap(meta.labels)),
    selector: internMap(selector),
    nodeName: kind === 'Pod' && typeof spec?.nodeName === 'string' ? intern(spec.nodeName) : undefined,
    requests: kind === 'Pod' ? sumContainerResources(spec?.containers, 'requests') : undefined,
    limits: kind === 'Pod' ? sumContainerResources(spec?.containers, 'limits') : undefined,
    allocatable: kind === 'Node' ? allocatableOf((obj as Obj).status) : undefined,
  };
}

function allocatableOf(status: Record<string, unknown> | undefined): Amounts | undefined {
  const a = status?.allocatable as Record<string, unknown> | undefined;
  if (!a) return undefined;
  const cpu = cpuMillis(a.cpu);
  const memory = memoryBytes(a.memory);
  return { ...(cpu !== undefined ? { cpu } : {}), ...(memory !== undefined ? { memory } : {}) };
}

function stringMap(value: unknown): Record<string, string> | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const out: Record<string, string> = {};
  let any = false;
  for (const [k, v] of Object.entries(value)) {
    if (typeof v === 'string') {
      out[k] = v;
      any = true;
    }
  }
  return any ? out : undefined;
}

/** Whether `labels` satisfy an equality selector (a Service's selector, a workload's matchLabels). */
export function selects(
  selector: Readonly<Record<string, string>> | undefined,
  labels: Readonly<Record<string, string>> | undefined,
): boolean {
  if (!selector) return false;
  const entries = Object.entries(selector);
  if (entries.length === 0) return false;
  return entries.every(([k, v]) => labels?.[k] === v);
}

/** A filter typed by the user, compiled once for all the rows of a folder. */
export interface RowFilter {
  readonly text: string;
  readonly matches: (row: ResourceRow) => boolean;
  /** Why the text is not a valid label selector (nothing matches then). */
  readonly error?: string;
}

/** Label selectors have an operator (`=`, `==`, `!=`, ` in (`, ` notin (`) or start with `!`; names never do. */
const LOOKS_LIKE_SELECTOR = /[=!]|\s(not)?in\s*\(/;

/**
 * Compiles what the user typed into a folder's filter: a label selector as kubectl's `-l` takes it
 * (`app=web,tier!=db`, `env in (prod,staging)`, `!canary`) when it has an operator, otherwise the text names
 * contain (case-insensitive). Compiled once per filter, not per row: a folder may hold 50,000 rows.
 */
export function compileRowFilter(filter: string): RowFilter {
  const text = filter.trim();
  if (text.length === 0) return { text, matches: () => true };
  if (LOOKS_LIKE_SELECTOR.test(text)) {
    try {
      const selector = parseLabelSelector(text);
      return { text, matches: (row) => selector(row.labels) };
    } catch (err) {
      return { text, matches: () => false, error: err instanceof Error ? err.message : String(err) };
    }
  }
  const lower = text.toLowerCase();
  return { text, matches: (row) => row.name.toLowerCase().includes(lower) };
}

/** compileRowFilter for a single row (tests, one-off checks). */
export function matchesFilter(row: ResourceRow, filter: string): boolean {
  return compileRowFilter(filter).matches(row);
}
