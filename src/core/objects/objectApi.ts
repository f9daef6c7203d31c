import { KubeError, toKubeError } from '../kube/errors';
import type { JsonTransport } from '../kube/transport';
import { collectionOf, describeRef, objectPath, type ObjectRef } from '../resources/objectRef';
import { baseVersionOf, restoreHidden } from '../resources/editableObject';
import type { KubeObject } from '../resources/kubeObject';
import { describeObject, type EventLike } from '../resources/describe';

/**
 * Reading, replacing and deleting single objects over the raw HTTP client (core/objects may import kube,
 * resources and common). Paths are built from encoded names; nothing is ever passed to a shell.
 */
export function getObject(client: JsonTransport, ref: ObjectRef): Promise<KubeObject> {
  return client.getJson<KubeObject>(objectPath(ref), {}, `reading ${describeRef(ref)}`);
}

export type SaveResult =
  | { kind: 'saved'; object: KubeObject }
  /** Someone else changed the object since the text's base version: nothing was written. */
  | { kind: 'conflict'; current: KubeObject; base: string }
  /** The object is gone: nothing was written. */
  | { kind: 'deleted' };

/**
 * Replaces the object with the edited object, with its resourceVersion as precondition. The server's current
 * object is read first: a different resourceVersion is reported as a conflict before anything is sent, and
 * fields the text hides are put back from it. A 409 on the PUT (a change in between) is a conflict too.
 * @param baseVersion the resourceVersion to require; defaults to the one in the edited object.
 */
export async function replaceObject(
  client: JsonTransport,
  ref: ObjectRef,
  edited: KubeObject,
  baseVersion = baseVersionOf(edited),
): Promise<SaveResult> {
  const what = `saving ${describeRef(ref, edited.kind)}`;
  let current: KubeObject;
  try {
    current = await getObject(client, ref);
  } catch (err) {
    if (err instanceof KubeError && err.kind === 'notFound') return { kind: 'deleted' };
    throw toKubeError(err, what);
  }
  if (current.metadata?.resourceVersion !== baseVersion) return { kind: 'conflict', current, base: baseVersion };
  const body = restoreHidden(edited, current);
  body.metadata = { ...body.metadata, resourceVersion: baseVersion };
  try {
    const saved = await client.getJson<KubeObject>(
      objectPath(ref),
      { method: 'PUT', body: JSON.stringify(body), contentType: 'application/json' },
      what,
    );
    return { kind: 'saved', object: saved };
  } catch (err) {
    if (err instanceof KubeError && err.kind === 'conflict') {
      try {
        return { kind: 'conflict', current: await getObject(client, ref), base: baseVersion };
      } catch (readErr) {
        if (readErr instanceof KubeError && readErr.kind === 'notFound') return { kind: 'deleted' };
        throw readErr;
      }
    }
    throw err;
  }
}

/**
 * Deletes the object in the background (dependents are removed by the garbage collector afterwards).
 * With `uid`, only that very object: one recreated under the same name in between is left alone.
 */
export async function deleteObject(client: JsonTransport, ref: ObjectRef, uid?: string): Promise<void> {
  const options = { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: 'Background', preconditions: { uid } };
  await client.getJson<unknown>(
    objectPath(ref),
    { method: 'DELETE', body: JSON.stringify(options), contentType: 'application/json' },
    `deleting ${describeRef(ref)}`,
  );
}

interface EventList {
  items?: EventLike[];
}

/**
 * The events about one object (core/v1 Events by involvedObject.uid), oldest first. Cluster-scoped objects have
 * theirs in any namespace (usually default), so the search then spans all namespaces.
 */
export async function eventsFor(client: JsonTransport, ref: ObjectRef, uid: string): Promise<EventLike[]> {
  const path = collectionOf('Event', ref.namespace);
  const list = await client.getJson<EventList>(
    path,
    { query: { fieldSelector: `involvedObject.uid=${uid}` } },
    `reading the events of ${describeRef(ref)}`,
  );
  return list.items ?? [];
}

/** The describe text of an object; events that cannot be read (forbidden, say) are reported in their section. */
export async function describeText(client: JsonTransport, ref: ObjectRef, now = Date.now()): Promise<string> {
  const obj = await getObject(client, ref);
  const uid = obj.metadata?.uid;
  let events: EventLike[] | { error: string } = [];
  if (uid) {
    try {
      events = await eventsFor(client, ref, uid);
    } catch (err) {
      events = { error: toKubeError(err, 'reading the events').message };
    }
  }
  return describeObject(obj, events, { context: ref.context, now });
}
