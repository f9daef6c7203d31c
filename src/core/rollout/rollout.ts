/**
 * Rollouts of Deployments, StatefulSets and DaemonSets, the way kubectl does them, as pure functions: patch
 * builders, revision history from ReplicaSets / ControllerRevisions, and `kubectl rollout status` as a function
 * of the object. No I/O, no `vscode`.
 */
import { hasCapability, kindInfo, kindOfResource } from '../resources/kinds';
import type { KubeObject } from '../resources/kubeObject';
import { asNumber, asRecord, asRecords, type JsonRecord } from '../common/json';

export type RolloutKind = 'Deployment' | 'StatefulSet' | 'DaemonSet';

export const RESTARTED_AT = 'kubectl.kubernetes.io/restartedAt';
export const REVISION = 'deployment.kubernetes.io/revision';
export const CHANGE_CAUSE = 'kubernetes.io/change-cause';
export const POD_TEMPLATE_HASH = 'pod-template-hash';

/** Annotations kept from the Deployment (not copied from the ReplicaSet) on undo, as kubectl's annotationsToSkip. */
const ANNOTATIONS_TO_SKIP = new Set([
  'kubectl.kubernetes.io/last-applied-configuration',
  REVISION,
  'deployment.kubernetes.io/revision-history',
  'deployment.kubernetes.io/desired-replicas',
  'deployment.kubernetes.io/max-replicas',
  'deprecated.deployment.rollback.to',
]);

/** A refusal or failure whose message is what kubectl prints in the same situation. */
export class RolloutError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RolloutError';
  }
}

/** The kinds with rollouts: those the kind registry gives the `restart` capability. */
export function isRolloutKind(kind: string | undefined): kind is RolloutKind {
  return hasCapability(kind, 'restart');
}

/** The rollout kind of an apps/v1 collection (deployments, statefulsets, daemonsets), or undefined. */
export function rolloutKindOf(plural: string): RolloutKind | undefined {
  const kind = kindOfResource('apps', plural)?.kind;
  return isRolloutKind(kind) ? kind : undefined;
}

/** "deployment.apps/web": how kubectl names the object in its output. */
export function kubectlName(kind: string, name: string): string {
  return `${kind.toLowerCase()}.${kindInfo(kind)?.group || 'apps'}/${name}`;
}

/** "deployments.apps "web"": how kubectl names the object in its errors. */
function kubectlErrorName(kind: string, name: string): string {
  return `${kind.toLowerCase()}s.apps "${name}"`;
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function metaOf(obj: KubeObject): JsonRecord {
  return asRecord(obj.metadata);
}
function specOf(obj: KubeObject): JsonRecord {
  return asRecord(obj.spec);
}
function statusOf(obj: KubeObject): JsonRecord {
  return asRecord(obj.status);
}
export function nameOf(obj: KubeObject): string {
  return str(metaOf(obj).name) ?? '';
}

// ── patches ──────────────────────────────────────────────────────────────────────────────────────────────────

export interface Patch {
  contentType:
    | 'application/merge-patch+json'
    | 'application/json-patch+json'
    | 'application/strategic-merge-patch+json';
  body: unknown;
}

/** `kubectl rollout restart`: a new restartedAt annotation on the pod template. A paused Deployment is refused. */
export function restartPatch(kind: RolloutKind, obj: KubeObject, now: Date): Patch {
  if (kind === 'Deployment' && specOf(obj).paused === true) {
    throw new RolloutError(
      `${kubectlErrorName(kind, nameOf(obj))} can't restart paused deployment (run rollout resume first)`,
    );
  }
  const stamp = now.toISOString().replace(/\.\d{3}Z$/, 'Z');
  return {
    contentType: 'application/strategic-merge-patch+json',
    body: { spec: { template: { metadata: { annotations: { [RESTARTED_AT]: stamp } } } } },
  };
}

/** `kubectl rollout pause` / `resume` (Deployments only, as in kubectl). */
export function pausePatch(kind: RolloutKind, obj: KubeObject, paused: boolean): Patch {
  if (kind !== 'Deployment') throw new RolloutError(`${paused ? 'pausing' : 'resuming'} is not supported`);
  const isPaused = specOf(obj).paused === true;
  if (paused && isPaused) throw new RolloutError(`${kubectlErrorName(kind, nameOf(obj))} is already paused`);
  if (!paused && !isPaused) throw new RolloutError(`${kubectlErrorName(kind, nameOf(obj))} is not paused`);
  return { contentType: 'application/merge-patch+json', body: { spec: { paused } } };
}

/** `kubectl scale`: the scale subresource's replicas. */
export function scalePatch(replicas: number): Patch {
  if (!Number.isInteger(replicas) || replicas < 0) throw new RolloutError('the replica count must be 0 or more');
  return { contentType: 'application/merge-patch+json', body: { spec: { replicas } } };
}

export function replicasOf(obj: KubeObject): number {
  const spec = specOf(obj);
  return typeof spec.replicas === 'number' ? spec.replicas : 1;
}

export interface ContainerInfo {
  name: string;
  image: string;
  init: boolean;
}

/** The containers of a workload's (or CronJob's) pod template, init containers included. */
export function containersOf(obj: KubeObject): ContainerInfo[] {
  const podSpec = podSpecOf(obj);
  const list = (key: string, init: boolean): ContainerInfo[] =>
    (Array.isArray(podSpec[key]) ? (podSpec[key] as unknown[]) : []).map((c) => ({
      name: str(asRecord(c).name) ?? '',
      image: str(asRecord(c).image) ?? '',
      init,
    }));
  return [...list('initContainers', true), ...list('containers', false)];
}

function podSpecOf(obj: KubeObject): JsonRecord {
  const spec = specOf(obj);
  if (obj.kind === 'CronJob') return asRecord(asRecord(asRecord(asRecord(spec.jobTemplate).spec).template).spec);
  if (obj.kind === 'Pod') return spec;
  return asRecord(asRecord(spec.template).spec);
}

/** `kubectl set image`: a strategic merge patch on the named container (merged by name). */
export function setImagePatch(obj: KubeObject, container: string, image: string): Patch {
  const target = containersOf(obj).find((c) => c.name === container);
  if (!target) throw new RolloutError(`unable to find container named "${container}"`);
  if (!image.trim()) throw new RolloutError('the image must not be empty');
  const podSpec = { [target.init ? 'initContainers' : 'containers']: [{ name: container, image: image.trim() }] };
  const body =
    obj.kind === 'CronJob'
      ? { spec: { jobTemplate: { spec: { template: { spec: podSpec } } } } }
      : obj.kind === 'Pod'
        ? { spec: podSpec }
        : { spec: { template: { spec: podSpec } } };
  return { contentType: 'application/strategic-merge-patch+json', body };
}

/** Suspend or resume a CronJob. */
export function suspendPatch(suspend: boolean): Patch {
  return { contentType: 'application/merge-patch+json', body: { spec: { suspend } } };
}

/** `kubectl create job --from=cronjob/<name>`: a Job from the CronJob's template, owned by the CronJob. */
export function jobFromCronJob(cronJob: KubeObject, jobName: string): KubeObject {
  const meta = metaOf(cronJob);
  const template = asRecord(specOf(cronJob).jobTemplate);
  const tmeta = asRecord(template.metadata);
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name: jobName,
      namespace: str(meta.namespace),
      labels: asRecord(tmeta.labels),
      annotations: {
        ...(asRecord(tmeta.annotations) as Record<string, string>),
        'cronjob.kubernetes.io/instantiate': 'manual',
      },
      ownerReferences: [
        {
          apiVersion: 'batch/v1',
          kind: 'CronJob',
          name: meta.name,
          uid: meta.uid,
          controller: true,
        },
      ],
    },
    spec: template.spec ?? {},
  };
}

/** kubectl's name for a manually created Job: `<cronjob>-manual-<5 random chars>`, within 63 characters. */
export function manualJobName(cronJobName: string, random: () => number = Math.random): string {
  const alphabet = 'bcdfghjklmnpqrstvwxz2456789';
  let suffix = '';
  for (let i = 0; i < 5; i++) suffix += alphabet[Math.floor(random() * alphabet.length)] ?? 'x';
  return `${cronJobName.slice(0, 63 - 13)}-manual-${suffix}`;
}

// ── history ──────────────────────────────────────────────────────────────────────────────────────────────────

export interface Revision {
  revision: number;
  changeCause: string | undefined;
  /** The pod template of the revision (pod-template-hash label removed). */
  template: JsonRecord;
  /** The ReplicaSet or ControllerRevision that holds it. */
  source: KubeObject;
  created: string | undefined;
}

function ownedBy(obj: KubeObject, uid: string | undefined): boolean {
  const refs = metaOf(obj).ownerReferences;
  return Array.isArray(refs) && refs.some((r) => asRecord(r).uid === uid);
}

function withoutHash(template: JsonRecord): JsonRecord {
  const copy = structuredClone(template);
  const meta = asRecord(copy.metadata);
  const labels = asRecord(meta.labels);
  if (POD_TEMPLATE_HASH in labels) {
    delete labels[POD_TEMPLATE_HASH];
    meta.labels = labels;
  }
  return copy;
}

/** The revisions of a Deployment (its ReplicaSets) or StatefulSet / DaemonSet (ControllerRevisions), oldest first. */
export function revisionsOf(kind: RolloutKind, owner: KubeObject, candidates: readonly KubeObject[]): Revision[] {
  const uid = str(metaOf(owner).uid);
  const out: Revision[] = [];
  for (const item of candidates) {
    if (!ownedBy(item, uid)) continue;
    const meta = metaOf(item);
    const annotations = asRecord(meta.annotations);
    let revision: number;
    let template: JsonRecord;
    if (kind === 'Deployment') {
      revision = Number(annotations[REVISION]);
      template = asRecord(specOf(item).template);
    } else {
      revision = asNumber(item.revision);
      template = asRecord(asRecord(asRecord(item.data).spec).template);
    }
    if (!Number.isFinite(revision) || revision <= 0) continue;
    out.push({
      revision,
      changeCause: str(annotations[CHANGE_CAUSE]),
      template: withoutHash(template),
      source: item,
      created: str(meta.creationTimestamp),
    });
  }
  return out.sort((a, b) => a.revision - b.revision);
}

/** The revision the object currently runs (the latest), or undefined. */
export function currentRevision(revisions: readonly Revision[]): number | undefined {
  return revisions.at(-1)?.revision;
}

/**
 * Which revision `undo` goes to: the chosen one, or (0 / undefined) the one before the latest.
 * Errors are kubectl's.
 */
export function undoTarget(
  kind: RolloutKind,
  owner: KubeObject,
  revisions: readonly Revision[],
  toRevision?: number,
): Revision {
  if (toRevision !== undefined && toRevision > 0) {
    const found = revisions.find((r) => r.revision === toRevision);
    if (!found) throw new RolloutError(`unable to find specified revision ${toRevision} in history`);
    return found;
  }
  const previous = revisions.at(-2);
  if (!previous) {
    throw new RolloutError(
      kind === 'Deployment'
        ? `no rollout history found for deployment "${nameOf(owner)}"`
        : 'no last revision to roll back to',
    );
  }
  return previous;
}

function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value as JsonRecord)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : 1));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** Whether two pod templates are the same, ignoring pod-template-hash (kubectl's equalIgnoreHash). */
export function sameTemplate(a: JsonRecord, b: JsonRecord): boolean {
  return stableJson(withoutHash(a)) === stableJson(withoutHash(b));
}

export type UndoPlan = { kind: 'skip'; message: string } | { kind: 'patch'; patch: Patch; revision: number };

/**
 * The patch that rolls the object back to `target`, carrying the object's resourceVersion so that a change made
 * in between makes the server refuse it (409) rather than be silently overwritten.
 */
export function undoPlan(kind: RolloutKind, owner: KubeObject, target: Revision): UndoPlan {
  const meta = metaOf(owner);
  const resourceVersion = str(meta.resourceVersion);
  if (!resourceVersion) throw new RolloutError(`${nameOf(owner)} has no resourceVersion`);
  if (kind === 'Deployment' && specOf(owner).paused === true) {
    throw new RolloutError(
      "you cannot rollback a paused deployment; resume it first with 'kubectl rollout resume' and try again",
    );
  }
  const current = asRecord(specOf(owner).template);
  if (sameTemplate(target.template, current)) {
    return {
      kind: 'skip',
      message: `skipped rollback (current template already matches revision ${target.revision})`,
    };
  }
  if (kind === 'Deployment') {
    const annotations: Record<string, string> = {};
    const own = asRecord(meta.annotations);
    for (const key of ANNOTATIONS_TO_SKIP) {
      const v = str(own[key]);
      if (v !== undefined) annotations[key] = v;
    }
    for (const [key, value] of Object.entries(asRecord(metaOf(target.source).annotations))) {
      if (!ANNOTATIONS_TO_SKIP.has(key) && typeof value === 'string') annotations[key] = value;
    }
    return {
      kind: 'patch',
      revision: target.revision,
      patch: {
        contentType: 'application/json-patch+json',
        body: [
          { op: 'replace', path: '/spec/template', value: target.template },
          { op: 'replace', path: '/metadata/annotations', value: annotations },
          // A resourceVersion in the patched object makes the update itself conditional (409 on a race).
          { op: 'replace', path: '/metadata/resourceVersion', value: resourceVersion },
        ],
      },
    };
  }
  // StatefulSet / DaemonSet: the ControllerRevision's data is the strategic merge patch kubectl applies.
  const data = structuredClone(asRecord(target.source.data));
  return {
    kind: 'patch',
    revision: target.revision,
    patch: {
      contentType: 'application/strategic-merge-patch+json',
      body: { ...data, metadata: { ...asRecord(data.metadata), resourceVersion } },
    },
  };
}

// ── rollout status ───────────────────────────────────────────────────────────────────────────────────────────

export interface RolloutProgress {
  desired: number;
  updated: number;
  ready: number;
  available: number;
}

export type RolloutStatus =
  /** Still going: `message` is kubectl's "Waiting for …" line. */
  | { state: 'progressing'; message: string; progress: RolloutProgress }
  | { state: 'done'; message: string; progress: RolloutProgress }
  /** ProgressDeadlineExceeded, or a strategy without rollout status. */
  | { state: 'failed'; message: string; progress: RolloutProgress };

/** `kubectl rollout status` for one read of the object (its status viewers, message for message). */
export function rolloutStatus(kind: RolloutKind, obj: KubeObject): RolloutStatus {
  const meta = metaOf(obj);
  const spec = specOf(obj);
  const status = statusOf(obj);
  const name = nameOf(obj);
  const generation = asNumber(meta.generation);
  const observed = asNumber(status.observedGeneration);
  if (kind === 'Deployment') {
    const desired = typeof spec.replicas === 'number' ? spec.replicas : 1;
    const progress = {
      desired,
      updated: asNumber(status.updatedReplicas),
      ready: asNumber(status.readyReplicas),
      available: asNumber(status.availableReplicas),
    };
    const waiting = (message: string): RolloutStatus => ({ state: 'progressing', message, progress });
    if (generation > observed) return waiting('Waiting for deployment spec update to be observed...');
    const conditions = asRecords(status.conditions);
    const progressing = conditions.find((c) => c.type === 'Progressing');
    if (progressing?.reason === 'ProgressDeadlineExceeded') {
      return { state: 'failed', message: `deployment "${name}" exceeded its progress deadline`, progress };
    }
    if (progress.updated < desired) {
      return waiting(
        `Waiting for deployment "${name}" rollout to finish: ${progress.updated} out of ${desired} new replicas have been updated...`,
      );
    }
    const replicas = asNumber(status.replicas);
    if (replicas > progress.updated) {
      return waiting(
        `Waiting for deployment "${name}" rollout to finish: ${replicas - progress.updated} old replicas are pending termination...`,
      );
    }
    if (progress.available < progress.updated) {
      return waiting(
        `Waiting for deployment "${name}" rollout to finish: ${progress.available} of ${progress.updated} updated replicas are available...`,
      );
    }
    return { state: 'done', message: `deployment "${name}" successfully rolled out`, progress };
  }
  if (kind === 'DaemonSet') {
    const progress = {
      desired: asNumber(status.desiredNumberScheduled),
      updated: asNumber(status.updatedNumberScheduled),
      ready: asNumber(status.numberReady),
      available: asNumber(status.numberAvailable),
    };
    if (asRecord(spec.updateStrategy).type !== undefined && asRecord(spec.updateStrategy).type !== 'RollingUpdate') {
      return { state: 'failed', message: 'rollout status is only available for RollingUpdate strategy type', progress };
    }
    if (generation > observed) {
      return { state: 'progressing', message: 'Waiting for daemon set spec update to be observed...', progress };
    }
    if (progress.updated < progress.desired) {
      return {
        state: 'progressing',
        message: `Waiting for daemon set "${name}" rollout to finish: ${progress.updated} out of ${progress.desired} new pods have been updated...`,
        progress,
      };
    }
    if (progress.available < progress.desired) {
      return {
        state: 'progressing',
        message: `Waiting for daemon set "${name}" rollout to finish: ${progress.available} of ${progress.desired} updated pods are available...`,
        progress,
      };
    }
    return { state: 'done', message: `daemon set "${name}" successfully rolled out`, progress };
  }
  // StatefulSet
  const desired = typeof spec.replicas === 'number' ? spec.replicas : 1;
  const progress = {
    desired,
    updated: asNumber(status.updatedReplicas),
    ready: asNumber(status.readyReplicas),
    available: asNumber(status.availableReplicas),
  };
  const strategy = asRecord(spec.updateStrategy);
  if (strategy.type !== undefined && strategy.type !== 'RollingUpdate') {
    return { state: 'failed', message: 'rollout status is only available for RollingUpdate strategy type', progress };
  }
  if (observed === 0 || generation > observed) {
    return { state: 'progressing', message: 'Waiting for statefulset spec update to be observed...', progress };
  }
  if (progress.ready < desired) {
    return { state: 'progressing', message: `Waiting for ${desired - progress.ready} pods to be ready...`, progress };
  }
  const rolling = strategy.rollingUpdate === undefined ? undefined : asRecord(strategy.rollingUpdate);
  if (rolling) {
    if (typeof rolling.partition === 'number' && progress.updated < desired - rolling.partition) {
      return {
        state: 'progressing',
        message: `Waiting for partitioned roll out to finish: ${progress.updated} out of ${desired - rolling.partition} new pods have been updated...`,
        progress,
      };
    }
    return {
      state: 'done',
      message: `partitioned roll out complete: ${progress.updated} new pods have been updated...`,
      progress,
    };
  }
  const updateRevision = str(status.updateRevision) ?? '';
  if (updateRevision !== str(status.currentRevision)) {
    return {
      state: 'progressing',
      message: `waiting for statefulset rolling update to complete ${progress.updated} pods at revision ${updateRevision}...`,
      progress,
    };
  }
  return {
    state: 'done',
    message: `statefulset rolling update complete ${asNumber(status.currentReplicas)} pods at revision ${updateRevision}...`,
    progress,
  };
}

/** "2/3 updated · 3 ready · 2 available of 3": the progress notification's figures. */
export function progressText(p: RolloutProgress): string {
  return `${p.updated}/${p.desired} updated · ${p.ready} ready · ${p.available} available`;
}

// ── pods ─────────────────────────────────────────────────────────────────────────────────────────────────────

/** `app=web,tier=front` from a selector's matchLabels (matchExpressions as set-based requirements). */
export function labelSelectorOf(selector: unknown): string {
  const sel = asRecord(selector);
  const parts = Object.entries(asRecord(sel.matchLabels)).map(([k, v]) => `${k}=${String(v)}`);
  for (const expr of asRecords(sel.matchExpressions)) {
    const key = str(expr.key) ?? '';
    const values = Array.isArray(expr.values) ? expr.values.map(String) : [];
    switch (expr.operator) {
      case 'In':
        parts.push(`${key} in (${values.join(',')})`);
        break;
      case 'NotIn':
        parts.push(`${key} notin (${values.join(',')})`);
        break;
      case 'Exists':
        parts.push(key);
        break;
      case 'DoesNotExist':
        parts.push(`!${key}`);
        break;
    }
  }
  return parts.join(',');
}

/** Why a pod is failing (a container waiting in a bad state, terminated with an error, or Failed), or undefined. */
export function podProblem(pod: KubeObject): string | undefined {
  const status = statusOf(pod);
  if (status.phase === 'Failed') return str(status.reason) ?? 'Failed';
  const statuses = [
    ...(Array.isArray(status.initContainerStatuses) ? (status.initContainerStatuses as unknown[]) : []),
    ...(Array.isArray(status.containerStatuses) ? (status.containerStatuses as unknown[]) : []),
  ].map(asRecord);
  for (const cs of statuses) {
    const state = asRecord(cs.state);
    const waiting = asRecord(state.waiting);
    const reason = str(waiting.reason);
    if (reason && reason !== 'ContainerCreating' && reason !== 'PodInitializing') {
      return `${str(cs.name) ?? 'container'}: ${reason}${str(waiting.message) ? ` (${str(waiting.message)})` : ''}`;
    }
    const terminated = asRecord(state.terminated);
    if (asNumber(terminated.exitCode) !== 0) {
      return `${str(cs.name) ?? 'container'}: ${str(terminated.reason) ?? 'Error'} (exit code ${asNumber(terminated.exitCode)})`;
    }
  }
  const conditions = asRecords(status.conditions);
  const scheduled = conditions.find((c) => c.type === 'PodScheduled');
  if (scheduled?.status === 'False' && scheduled.reason === 'Unschedulable') {
    return `Unschedulable${str(scheduled.message) ? ` (${str(scheduled.message)})` : ''}`;
  }
  return undefined;
}

/** Whether a pod is Ready and not being deleted. */
export function podReady(pod: KubeObject): boolean {
  if (metaOf(pod).deletionTimestamp) return false;
  const status = statusOf(pod);
  if (status.phase !== 'Running') return false;
  const conditions = asRecords(status.conditions);
  return conditions.some((c) => c.type === 'Ready' && c.status === 'True');
}
