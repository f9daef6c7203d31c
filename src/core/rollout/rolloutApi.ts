/**
 * Rollout, scaling and CronJob actions over the raw HTTP client: read the object, build the patch (rollout.ts),
 * send it. Names are encoded into paths by objectPath; nothing is passed to a shell.
 */
import type { JsonTransport } from '../kube/transport';
import { getObject } from '../objects/objectApi';
import { KubeError } from '../kube/errors';
import type { KubeObject } from '../resources/kubeObject';
import { collectionOf, collectionPath, describeRef, objectPath, type ObjectRef } from '../resources/objectRef';
import {
  jobFromCronJob,
  kubectlName,
  labelSelectorOf,
  manualJobName,
  pausePatch,
  restartPatch,
  revisionsOf,
  rolloutKindOf,
  scalePatch,
  setImagePatch,
  suspendPatch,
  undoPlan,
  undoTarget,
  type Patch,
  type Revision,
  type RolloutKind,
} from './rollout';

interface List {
  items?: KubeObject[];
}

export function patchObject(client: JsonTransport, ref: ObjectRef, patch: Patch, what: string, subresource = '') {
  return client.getJson<KubeObject>(
    objectPath(ref) + subresource,
    { method: 'PATCH', body: JSON.stringify(patch.body), contentType: patch.contentType },
    what,
  );
}

function kindOf(ref: ObjectRef): RolloutKind {
  const kind = rolloutKindOf(ref.plural);
  if (kind) return kind;
  throw new KubeError('invalid', `${describeRef(ref)} has no rollouts (only Deployments, StatefulSets, DaemonSets)`);
}

/** kubectl's output line for a successful action, e.g. `deployment.apps/web restarted`. */
function done(ref: ObjectRef, verb: string): string {
  return `${kubectlName(kindOf(ref), ref.name)} ${verb}`;
}

export async function restart(client: JsonTransport, ref: ObjectRef, now = new Date()): Promise<string> {
  const kind = kindOf(ref);
  const obj = await getObject(client, ref);
  await patchObject(client, ref, restartPatch(kind, obj, now), `restarting ${describeRef(ref, kind)}`);
  return done(ref, 'restarted');
}

export async function setPaused(client: JsonTransport, ref: ObjectRef, paused: boolean): Promise<string> {
  const kind = kindOf(ref);
  const obj = await getObject(client, ref);
  const verb = paused ? 'pausing' : 'resuming';
  await patchObject(client, ref, pausePatch(kind, obj, paused), `${verb} ${describeRef(ref, kind)}`);
  return done(ref, paused ? 'paused' : 'resumed');
}

/** The workload and its revisions, oldest first. */
export async function history(
  client: JsonTransport,
  ref: ObjectRef,
): Promise<{ object: KubeObject; revisions: Revision[] }> {
  const kind = kindOf(ref);
  const object = await getObject(client, ref);
  const selector = labelSelectorOf((object.spec as { selector?: unknown } | undefined)?.selector);
  const path =
    kind === 'Deployment'
      ? collectionOf('ReplicaSet', ref.namespace)
      : collectionPath({
          group: 'apps',
          version: 'v1',
          plural: 'controllerrevisions',
          namespaced: true,
          namespace: ref.namespace,
        });
  const list = await client.getJson<List>(
    path,
    { query: { labelSelector: selector || undefined } },
    `reading the revision history of ${describeRef(ref, kind)}`,
  );
  return { object, revisions: revisionsOf(kind, object, list.items ?? []) };
}

/**
 * `kubectl rollout undo [--to-revision]`: back to the previous (or the chosen) revision. The patch carries the
 * resourceVersion the history was computed from: a change to the spec made meanwhile fails with a conflict.
 */
export async function undo(client: JsonTransport, ref: ObjectRef, toRevision?: number): Promise<string> {
  const kind = kindOf(ref);
  let generation: unknown;
  // A conflict from the controller writing status (the resourceVersion moves, the generation does not) is not a
  // change to what undo replaces: read again and retry. A new generation is someone else's change to the spec.
  // During a rollout the controller writes status each time a pod becomes ready, so a few tries may all lose the
  // race: up to UNDO_ATTEMPTS, a little later each time.
  for (let attempt = 1; ; attempt++) {
    const { object, revisions } = await history(client, ref);
    const now = (object.metadata as { generation?: unknown } | undefined)?.generation;
    if (generation !== undefined && now !== generation) throw concurrentChange(ref, kind);
    generation = now;
    const target = undoTarget(kind, object, revisions, toRevision);
    const plan = undoPlan(kind, object, target);
    if (plan.kind === 'skip') return `${kubectlName(kind, ref.name)} ${plan.message}`;
    try {
      await patchObject(client, ref, plan.patch, `rolling back ${describeRef(ref, kind)} to revision ${plan.revision}`);
      return done(ref, 'rolled back');
    } catch (err) {
      if (!(err instanceof KubeError && err.kind === 'conflict')) throw err;
      if (attempt >= UNDO_ATTEMPTS) throw concurrentChange(ref, kind, err);
      await new Promise((resolve) => setTimeout(resolve, 50 * attempt));
    }
  }
}

const UNDO_ATTEMPTS = 8;

function concurrentChange(ref: ObjectRef, kind: RolloutKind, cause?: unknown): KubeError {
  return new KubeError(
    'conflict',
    `Rolling back ${describeRef(ref, kind)} failed: it was changed by someone else while the rollback was prepared; nothing was changed. Look at its history again and retry.`,
    409,
    { cause },
  );
}

export async function scale(client: JsonTransport, ref: ObjectRef, replicas: number): Promise<string> {
  await patchObject(client, ref, scalePatch(replicas), `scaling ${describeRef(ref)} to ${replicas}`, '/scale');
  return `${kubectlName(ref.kind ?? ref.plural, ref.name)} scaled`;
}

export async function setImage(
  client: JsonTransport,
  ref: ObjectRef,
  container: string,
  image: string,
): Promise<string> {
  const obj = await getObject(client, ref);
  await patchObject(
    client,
    ref,
    setImagePatch(obj, container, image),
    `setting the image of container "${container}" of ${describeRef(ref)}`,
  );
  return `${kubectlName(ref.kind ?? ref.plural, ref.name)} image updated`;
}

/** `kubectl create job --from=cronjob/<name>`: returns the new Job's name. */
export async function triggerCronJob(client: JsonTransport, ref: ObjectRef, random?: () => number): Promise<string> {
  const cronJob = await getObject(client, ref);
  const name = manualJobName(ref.name, random);
  const job = jobFromCronJob(cronJob, name);
  await client.getJson<KubeObject>(
    collectionOf('Job', ref.namespace),
    { method: 'POST', body: JSON.stringify(job), contentType: 'application/json' },
    `creating a Job from ${describeRef(ref, 'CronJob')}`,
  );
  return name;
}

export async function setSuspended(client: JsonTransport, ref: ObjectRef, suspend: boolean): Promise<void> {
  await patchObject(client, ref, suspendPatch(suspend), `${suspend ? 'suspending' : 'resuming'} ${describeRef(ref)}`);
}
