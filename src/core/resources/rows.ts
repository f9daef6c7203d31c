import type { KubeObject, Row } from '../watch/watchedList';

export type Health = 'ok' | 'progressing' | 'warning' | 'error' | 'unknown';

/** The small per-object model the tree keeps (a few hundred bytes, not the 4 KB object). */
export interface ResourceRow extends Row {
  readonly kind: string;
  readonly created?: string;
  /** One line for the tree item's description, e.g. "Running 2/2 · 3 restarts". */
  readonly status: string;
  readonly health: Health;
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

/** Projects a full object to its row; `kind` is passed in since list items often lack it. */
export function toRow(kind: string, obj: KubeObject): ResourceRow | undefined {
  const meta = obj.metadata;
  if (!meta?.uid || !meta.name) return undefined;
  const summary = SUMMARISERS[kind]?.(obj as Obj) ?? { status: '', health: 'unknown' as Health };
  return {
    uid: meta.uid,
    name: meta.name,
    namespace: meta.namespace,
    kind,
    created: typeof meta.creationTimestamp === 'string' ? meta.creationTimestamp : undefined,
    status: summary.status,
    health: summary.health,
  };
}
