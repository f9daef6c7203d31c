/**
 * Cordon, uncordon and drain a node over the API, as `kubectl cordon` / `kubectl drain` do: evictions through the
 * Eviction API (so PodDisruptionBudgets are honoured by the API server), never plain deletes. Unlike kubectl, a
 * drain evicts what it may and reports each pod it left with the reason, instead of refusing the whole node for
 * one unmanaged pod: the plan is shown to the user before anything is sent.
 */
import { asRecord, asRecords } from '../common/json';
import { KubeError, toKubeError } from '../kube/errors';
import type { JsonTransport } from '../kube/transport';
import type { KubeObject } from '../resources/kubeObject';
import { collectionOf, objectPath, pathOf, type ObjectRef } from '../resources/objectRef';

export function nodeRef(context: string, name: string): ObjectRef {
  return { context, group: '', version: 'v1', plural: 'nodes', kind: 'Node', name };
}

/** `kubectl cordon` / `uncordon`: marks the node (un)schedulable. Returns kubectl's line. */
export async function setUnschedulable(
  client: JsonTransport,
  context: string,
  node: string,
  on: boolean,
): Promise<string> {
  await client.getJson<KubeObject>(
    objectPath(nodeRef(context, node)),
    {
      method: 'PATCH',
      body: JSON.stringify({ spec: { unschedulable: on ? true : null } }),
      contentType: 'application/merge-patch+json',
    },
    `${on ? 'cordoning' : 'uncordoning'} node "${node}" on ${context}`,
  );
  return `node/${node} ${on ? 'cordoned' : 'uncordoned'}`;
}

export type PodVerdict =
  /** Will be evicted. */
  | { readonly action: 'evict' }
  /** Left alone, as kubectl leaves them: DaemonSet pods (the controller would put them back), mirror pods. */
  | { readonly action: 'skip'; readonly reason: string }
  /** Not evicted unless the user chooses so (kubectl's --force, --delete-emptydir-data). */
  | { readonly action: 'needsConsent'; readonly reason: string; readonly consent: 'force' | 'deleteEmptyDirData' };

export interface DrainPod {
  readonly namespace: string;
  readonly name: string;
  readonly uid: string;
  readonly verdict: PodVerdict;
}

export interface DrainOptions {
  /** Evict pods that no controller manages (they will not come back): kubectl's --force. */
  readonly force?: boolean;
  /** Evict pods with emptyDir volumes (their data is lost): kubectl's --delete-emptydir-data. */
  readonly deleteEmptyDirData?: boolean;
}

function controllerOf(pod: KubeObject): { kind?: string; name?: string } | undefined {
  return asRecords(asRecord(pod.metadata).ownerReferences).find((o) => o.controller === true) as
    | { kind?: string; name?: string }
    | undefined;
}

/** What a drain would do with one pod (kubectl drain's filters, in its order). */
export function verdictOf(pod: KubeObject, options: DrainOptions = {}): PodVerdict {
  const meta = asRecord(pod.metadata);
  const phase = asRecord(pod.status).phase;
  if (asRecord(meta.annotations)['kubernetes.io/config.mirror'] !== undefined) {
    return { action: 'skip', reason: 'a mirror pod (the kubelet runs it from a file on the node)' };
  }
  if (phase === 'Succeeded' || phase === 'Failed') return { action: 'evict' };
  const controller = controllerOf(pod);
  if (controller?.kind === 'DaemonSet') {
    return { action: 'skip', reason: `managed by DaemonSet ${controller.name ?? ''} (it would be put back)` };
  }
  if (!controller && !options.force) {
    return {
      action: 'needsConsent',
      consent: 'force',
      reason: 'no controller manages it: once evicted it does not come back',
    };
  }
  const emptyDir = asRecords(asRecord(pod.spec).volumes).some((v) => v.emptyDir !== undefined);
  if (emptyDir && !options.deleteEmptyDirData) {
    return { action: 'needsConsent', consent: 'deleteEmptyDirData', reason: 'it has emptyDir data that would be lost' };
  }
  return { action: 'evict' };
}

/** The pods on `node` and what a drain would do with each, sorted by namespace and name. */
export async function planDrain(
  client: JsonTransport,
  context: string,
  node: string,
  options: DrainOptions = {},
): Promise<DrainPod[]> {
  objectPath(nodeRef(context, node)); // the node name is checked before it is sent in a selector
  const list = await client.getJson<{ items?: KubeObject[] }>(
    collectionOf('Pod', undefined),
    { query: { fieldSelector: `spec.nodeName=${node}` } },
    `listing the pods on node "${node}" of ${context}`,
  );
  return (list.items ?? [])
    .map((pod) => {
      const meta = asRecord(pod.metadata);
      const text = (v: unknown): string => (typeof v === 'string' ? v : '');
      return {
        namespace: text(meta.namespace),
        name: text(meta.name),
        uid: text(meta.uid),
        verdict: verdictOf(pod, options),
      };
    })
    .sort((a, b) => a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name));
}

export interface DrainProgress {
  readonly total: number;
  readonly evicted: number;
  /** Pods whose eviction a PodDisruptionBudget refuses for now (retried until the time is up). */
  readonly blocked: readonly string[];
}

export interface DrainResult {
  readonly node: string;
  readonly evicted: readonly string[];
  /** `namespace/name` → why it is still on the node. */
  readonly notEvicted: ReadonlyMap<string, string>;
}

export interface DrainRunOptions extends DrainOptions {
  /** How long PDB-blocked evictions are retried and evicted pods are waited for (default 5 minutes). */
  readonly timeoutMs?: number;
  /** Between retries of a refused eviction (default 5 s, like kubectl). */
  readonly retryMs?: number;
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: DrainProgress) => void;
}

const sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    });
  });

function podRef(context: string, pod: DrainPod): ObjectRef {
  return { context, group: '', version: 'v1', plural: 'pods', kind: 'Pod', namespace: pod.namespace, name: pod.name };
}

/**
 * Cordons the node, then evicts every pod the plan marks `evict`, retrying those a PodDisruptionBudget protects
 * until `timeoutMs`, and waits for the evicted pods to be gone. Whatever happens, the node stays cordoned and the
 * result names every pod still on it and why.
 */
export async function drainNode(
  client: JsonTransport,
  context: string,
  node: string,
  options: DrainRunOptions = {},
): Promise<DrainResult> {
  await setUnschedulable(client, context, node, true);
  const plan = await planDrain(client, context, node, options);
  const deadline = Date.now() + (options.timeoutMs ?? 5 * 60_000);
  const notEvicted = new Map<string, string>();
  const key = (p: DrainPod): string => `${p.namespace}/${p.name}`;
  for (const p of plan) if (p.verdict.action !== 'evict') notEvicted.set(key(p), p.verdict.reason);
  let pending = plan.filter((p) => p.verdict.action === 'evict');
  const total = pending.length;
  const requested: DrainPod[] = [];
  const blocked = new Map<string, string>();
  const report = (): void =>
    options.onProgress?.({ total, evicted: requested.length, blocked: [...blocked.keys()].sort() });
  report();
  while (pending.length > 0) {
    const next: DrainPod[] = [];
    for (const pod of pending) {
      if (options.signal?.aborted) break;
      const outcome = await evict(client, context, pod);
      if (outcome === 'evicted' || outcome === 'gone') {
        blocked.delete(key(pod));
        requested.push(pod);
      } else if (outcome.retry) {
        blocked.set(key(pod), outcome.message);
        next.push(pod);
      } else {
        notEvicted.set(key(pod), outcome.message);
      }
    }
    report();
    pending = next;
    if (pending.length === 0 || options.signal?.aborted || Date.now() >= deadline) break;
    await sleep(Math.min(options.retryMs ?? 5_000, Math.max(0, deadline - Date.now())), options.signal);
  }
  for (const pod of pending) {
    notEvicted.set(
      key(pod),
      options.signal?.aborted
        ? 'not evicted: the drain was cancelled'
        : (blocked.get(key(pod)) ?? 'not evicted in time'),
    );
  }
  // Evicted pods terminate gracefully: wait until each is gone (or replaced by a new pod of the same name).
  const evicted: string[] = [];
  for (const pod of requested) {
    const gone = await waitGone(client, context, pod, deadline, options.signal);
    if (gone) evicted.push(key(pod));
    else notEvicted.set(key(pod), 'evicted, but still terminating when the time was up');
  }
  return { node, evicted: evicted.sort(), notEvicted: new Map([...notEvicted].sort(([a], [b]) => a.localeCompare(b))) };
}

type EvictOutcome = 'evicted' | 'gone' | { retry: boolean; message: string };

async function evict(client: JsonTransport, context: string, pod: DrainPod): Promise<EvictOutcome> {
  const ref = podRef(context, pod);
  try {
    await client.getJson(
      `${objectPath(ref)}/eviction`,
      {
        method: 'POST',
        body: JSON.stringify({
          apiVersion: 'policy/v1',
          kind: 'Eviction',
          metadata: { name: pod.name, namespace: pod.namespace },
          deleteOptions: { preconditions: { uid: pod.uid } },
        }),
        contentType: 'application/json',
      },
      `evicting pod ${pod.namespace}/${pod.name}`,
    );
    return 'evicted';
  } catch (err) {
    const error = toKubeError(err, `evicting pod ${pod.namespace}/${pod.name}`);
    if (error.kind === 'notFound') return 'gone';
    if (error.kind === 'readOnly') throw error;
    // 429: a PodDisruptionBudget allows no disruption now; the server's message names the budget.
    if (error.status === 429)
      return { retry: true, message: `blocked by a PodDisruptionBudget: ${serverMessage(error)}` };
    return { retry: false, message: serverMessage(error) };
  }
}

function serverMessage(error: KubeError): string {
  const body = (error.cause as { body?: unknown } | undefined)?.body;
  if (typeof body === 'string') {
    try {
      const status = JSON.parse(body) as { message?: unknown; details?: { causes?: { message?: unknown }[] } };
      // An eviction refused by a budget names it only in its causes ("The disruption budget web needs 2 healthy pods…").
      const causes = (status.details?.causes ?? []).map((c) => c.message).filter((m) => typeof m === 'string');
      if (typeof status.message === 'string') return [status.message, ...causes].join(' ');
    } catch {
      // not a Status: the KubeError's own message
    }
  }
  return error.message;
}

async function waitGone(
  client: JsonTransport,
  context: string,
  pod: DrainPod,
  deadline: number,
  signal?: AbortSignal,
): Promise<boolean> {
  for (;;) {
    try {
      const current = await client.getJson<KubeObject>(
        pathOf('Pod', pod.namespace, pod.name),
        {},
        `reading pod ${pod.namespace}/${pod.name}`,
      );
      if (current.metadata?.uid !== pod.uid) return true;
    } catch (err) {
      if (err instanceof KubeError && err.kind === 'notFound') return true;
      throw err;
    }
    if (Date.now() >= deadline || signal?.aborted) return false;
    await sleep(500, signal);
  }
}

/** "Drained kwok-node-3: evicted 2 pods; 1 not evicted" and one line per pod left. */
export function drainSummary(result: DrainResult, context: string): string[] {
  const head = `Drained node ${result.node} on ${context}: evicted ${result.evicted.length} pod${result.evicted.length === 1 ? '' : 's'}${result.notEvicted.size ? `; ${result.notEvicted.size} not evicted` : ''}. The node stays cordoned.`;
  return [head, ...[...result.notEvicted].map(([pod, why]) => `  ${pod}: ${why}`)];
}
