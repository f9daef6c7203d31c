import { stringify } from 'yaml';
import type { RawResponse, RequestOptions } from '../kube/clusterClient';
import { KubeError, toKubeError } from '../kube/errors';
import { MASK, maskSecretValues } from '../resources/editableObject';
import { type KubeObject } from '../resources/kubeObject';
import { objectPath, type ObjectRef } from '../resources/objectRef';
import type { PlannedDoc } from './applyPlan';
import { fieldPathsIn } from './manifestFiles';
import { rolloutKindOf, sameTemplate } from '../rollout/rollout';

/** The field manager our applies write as (what `kubectl apply --server-side` calls `kubectl`). */
export const FIELD_MANAGER = 'kube-workbench';

export interface ApplyTransport {
  request(path: string, options?: RequestOptions, what?: string): Promise<RawResponse>;
}

export type ApplyStatus =
  | 'created'
  | 'configured'
  | 'unchanged'
  | 'deleted'
  | 'notFound'
  | 'conflict'
  | 'failed'
  | 'skipped';

/** A field another manager owns, from a 409 of a server-side apply. */
export interface FieldConflict {
  readonly field: string;
  readonly manager: string;
}

export interface DocResult {
  readonly planned: PlannedDoc;
  readonly status: ApplyStatus;
  /** For failed, conflict and skipped documents: why, written for users (Secret values masked). */
  readonly message?: string;
  /** 1-based line of the cause in the document's file. */
  readonly line: number;
  readonly conflicts?: readonly FieldConflict[];
  /** What the server returned (the applied object, or the dry-run result). */
  readonly object?: KubeObject;
  /**
   * A Deployment, StatefulSet or DaemonSet that this apply created or whose pod template it changed: a rollout
   * follows (a change of replicas alone, or an unchanged document, starts none). Never set on a dry run.
   */
  readonly startsRollout?: boolean;
}

export interface ApplyReport {
  readonly context: string;
  readonly dryRun: boolean;
  readonly results: readonly DocResult[];
}

export interface ApplyOptions {
  readonly dryRun?: boolean;
  /** Asked once, with every conflicting document, after the others were applied; true forces those. */
  readonly confirmForce?: (conflicts: readonly DocResult[]) => Promise<boolean>;
  /** Requests in flight at once within one kind tier (default 8). */
  readonly concurrency?: number;
  /** How long to wait for a CRD of the batch to be Established (default 30 s). */
  readonly crdTimeoutMs?: number;
  readonly signal?: AbortSignal;
  /** Called as each document's result is known. */
  readonly onResult?: (result: DocResult) => void;
}

interface StatusBody {
  message?: string;
  reason?: string;
  details?: { causes?: { field?: string; message?: string; reason?: string }[] };
}

function statusBodyOf(err: KubeError): StatusBody | undefined {
  const cause = err.cause as { body?: unknown } | undefined;
  if (typeof cause?.body !== 'string') return undefined;
  try {
    return JSON.parse(cause.body) as StatusBody;
  } catch {
    return undefined;
  }
}

/** The fields and managers of a server-side apply conflict (409 with FieldManagerConflict causes). */
export function conflictsOf(err: KubeError): FieldConflict[] {
  const body = statusBodyOf(err);
  const out: FieldConflict[] = [];
  for (const cause of body?.details?.causes ?? []) {
    if (cause.reason !== 'FieldManagerConflict' && !/conflict with/.test(cause.message ?? '')) continue;
    const manager = /conflict with "([^"]+)"/.exec(cause.message ?? '')?.[1] ?? 'another manager';
    out.push({ field: (cause.field ?? '').replace(/^\./, ''), manager });
  }
  return out;
}

function describeDoc(p: PlannedDoc): string {
  const ns = p.ref?.namespace ? ` in namespace "${p.ref.namespace}"` : '';
  return `${p.kind || 'document'} "${p.ref?.name ?? '?'}"${ns} on context "${p.ref?.context ?? '?'}"`;
}

/** The message and line of a failed request, for the report: specific where the cause is known. */
function failureOf(p: PlannedDoc, err: KubeError): { message: string; line: number } {
  const doc = p.doc;
  const body = statusBodyOf(err);
  const server = body?.message?.trim();
  const causes = body?.details?.causes ?? [];
  let line = doc.startLine;
  const fields = causes.map((c) => c.field).filter((f): f is string => Boolean(f));
  const paths = fields.length > 0 ? fields : fieldPathsIn(server ?? '');
  for (const field of paths) {
    const l = doc.lineOf(field.replace(/^\./, ''));
    if (l !== doc.startLine) {
      line = l;
      break;
    }
  }
  let message: string;
  const nsMissing =
    p.ref?.namespace !== undefined &&
    new RegExp(`namespaces "${escapeRe(p.ref.namespace)}" not found`).test(server ?? '');
  if (err.kind === 'notFound' && nsMissing) {
    message = `namespace "${p.ref.namespace}" does not exist on context "${p.ref.context}": create it first, or add a Namespace document to the manifest`;
    line = doc.lineOf('metadata.namespace');
  } else if (err.kind === 'notFound') {
    message = `context "${p.ref?.context ?? '?'}" does not serve ${String(doc.object?.apiVersion)} ${p.kind} (${server ?? 'not found'}); check apiVersion`;
    line = doc.lineOf('apiVersion');
  } else if (err.kind === 'unreachable' || err.kind === 'timeout') {
    message = `${err.message}${/[.?!]$/.test(err.message) ? '' : '.'} It was not applied.`;
  } else if (server) {
    const detail =
      causes.length > 0 && !server.includes(causes[0]?.message ?? '\u0000')
        ? ` (${causes.map((c) => [c.field, c.message].filter(Boolean).join(': ')).join('; ')})`
        : '';
    message = `${server}${detail} (HTTP ${err.status ?? '?'})`;
  } else {
    message = err.message;
  }
  return { message: maskSecretValues(message, doc.object), line };
}

function escapeRe(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

async function getLive(client: ApplyTransport, ref: ObjectRef, what: string): Promise<KubeObject | undefined> {
  try {
    const res = await client.request(objectPath(ref), {}, what);
    return JSON.parse(res.body.toString('utf8')) as KubeObject;
  } catch (err) {
    const error = toKubeError(err, what);
    if (error.kind === 'notFound') return undefined;
    throw error;
  }
}

/** One server-side apply request. */
export async function serverSideApply(
  client: ApplyTransport,
  ref: ObjectRef,
  body: KubeObject,
  options: { dryRun?: boolean; force?: boolean; signal?: AbortSignal } = {},
): Promise<{ object: KubeObject; created: boolean }> {
  const res = await client.request(
    objectPath(ref),
    {
      method: 'PATCH',
      query: { fieldManager: FIELD_MANAGER, force: options.force === true, dryRun: options.dryRun ? 'All' : undefined },
      body: JSON.stringify(body),
      contentType: 'application/apply-patch+yaml',
      signal: options.signal,
    },
    `applying ${ref.kind ?? ref.plural} "${ref.name}"`,
  );
  return { object: JSON.parse(res.body.toString('utf8')) as KubeObject, created: res.status === 201 };
}

/** Runs `work` over `items` with at most `limit` in flight, in order of start. */
async function pool<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next++]!;
      await work(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, () => worker()));
}

async function waitEstablished(
  client: ApplyTransport,
  name: string,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const crd = await getLive(
      client,
      { context: '', group: 'apiextensions.k8s.io', version: 'v1', plural: 'customresourcedefinitions', name },
      `reading CustomResourceDefinition "${name}"`,
    );
    const conditions =
      (crd?.status as { conditions?: { type?: string; status?: string }[] } | undefined)?.conditions ?? [];
    if (conditions.some((c) => c.type === 'Established' && c.status === 'True')) return;
    if (Date.now() > deadline)
      throw new KubeError(
        'timeout',
        `CustomResourceDefinition "${name}" was not Established within ${Math.round(timeoutMs / 1000)} s`,
      );
    if (signal?.aborted) throw new KubeError('cancelled', 'cancelled');
    await new Promise((r) => setTimeout(r, 150));
  }
}

/**
 * Applies planned documents in order, tier by tier (Namespaces, CRDs, ... see applyPlan), each tier with a few
 * requests in flight. Only a 2xx answer counts as applied: a document whose request failed, or that was never
 * sent because the cluster became unreachable, is reported as failed or skipped. Conflicts with other field
 * managers are collected and forced only when `confirmForce` says so.
 */
export async function applyPlanned(
  client: ApplyTransport,
  plan: readonly PlannedDoc[],
  context: string,
  options: ApplyOptions = {},
): Promise<ApplyReport> {
  const results = new Map<PlannedDoc, DocResult>();
  const record = (r: DocResult): void => {
    results.set(r.planned, r);
    options.onResult?.(r);
  };
  const notApplied = new Set<string>(); // namespaces and CRDs of this batch that were not applied
  const crdWaits = new Map<string, Promise<void>>();
  let stopped: string | undefined;
  const dryRun = options.dryRun === true;

  const applyDoc = async (p: PlannedDoc, force = false): Promise<void> => {
    const doc = p.doc;
    if (p.error || !p.ref || !p.body) {
      record({
        planned: p,
        status: 'failed',
        message: p.error?.message ?? 'cannot be applied',
        line: p.error?.line ?? doc.startLine,
      });
      return;
    }
    if (stopped) {
      record({ planned: p, status: 'skipped', message: `not applied: ${stopped}`, line: doc.startLine });
      return;
    }
    if (p.ref.namespace !== undefined && notApplied.has(`ns/${p.ref.namespace}`)) {
      record({
        planned: p,
        status: 'skipped',
        message: `not applied: its Namespace "${p.ref.namespace}" (in this manifest) was not applied`,
        line: doc.lineOf('metadata.namespace'),
      });
      return;
    }
    if (p.definedByCrd) {
      if (notApplied.has(`crd/${p.definedByCrd}`) || dryRun) {
        record({
          planned: p,
          status: 'skipped',
          message: dryRun
            ? `not previewed: its CustomResourceDefinition "${p.definedByCrd}" is not on the cluster yet (apply it first)`
            : `not applied: its CustomResourceDefinition "${p.definedByCrd}" (in this manifest) was not applied`,
          line: doc.lineOf('kind'),
        });
        return;
      }
      let wait = crdWaits.get(p.definedByCrd);
      if (!wait) {
        wait = waitEstablished(client, p.definedByCrd, options.crdTimeoutMs ?? 30_000, options.signal);
        crdWaits.set(p.definedByCrd, wait);
      }
      try {
        await wait;
      } catch (err) {
        record({
          planned: p,
          status: 'skipped',
          message: `not applied: ${toKubeError(err, `waiting for CustomResourceDefinition "${p.definedByCrd}"`).message}`,
          line: doc.lineOf('kind'),
        });
        return;
      }
    }
    const what = `applying ${describeDoc(p)}`;
    try {
      const live = await getLive(client, p.ref, what);
      const { object, created } = await serverSideApply(client, p.ref, p.body, {
        dryRun,
        force,
        signal: options.signal,
      });
      const before = live?.metadata?.resourceVersion;
      const after = (object.metadata as { resourceVersion?: string } | undefined)?.resourceVersion;
      // Unchanged: nothing was written, or only server bookkeeping (managedFields, resourceVersion) moved. A dry run
      // never moves the resourceVersion, so there only the objects themselves tell.
      const status: ApplyStatus =
        created || !live
          ? 'created'
          : (!dryRun && before === after) || sameObject(live, object)
            ? 'unchanged'
            : 'configured';
      record({
        planned: p,
        status,
        line: doc.startLine,
        object,
        startsRollout: !dryRun && startsRollout(p.ref, status, live, object),
      });
    } catch (err) {
      const error = toKubeError(err, what);
      if (error.kind === 'conflict') {
        const conflicts = conflictsOf(error);
        if (conflicts.length > 0) {
          const fields = conflicts.map((c) => `${c.field} (owned by "${c.manager}")`).join(', ');
          record({
            planned: p,
            status: 'conflict',
            message: `conflict: ${fields}; not applied`,
            line: doc.lineOf(conflicts[0]!.field),
            conflicts,
          });
          return;
        }
      }
      if (
        error.kind === 'unreachable' ||
        error.kind === 'timeout' ||
        error.kind === 'cancelled' ||
        error.kind === 'unauthorized'
      ) {
        stopped ??=
          error.kind === 'cancelled'
            ? 'the apply was cancelled'
            : `context "${context}" stopped answering (${error.message})`;
      }
      const failure = failureOf(p, error);
      record({ planned: p, status: 'failed', message: failure.message, line: failure.line });
    }
  };

  const tiers = [...new Set(plan.map((p) => p.tier))].sort((a, b) => a - b);
  for (const tier of tiers) {
    const docs = plan.filter((p) => p.tier === tier);
    await pool(docs, options.concurrency ?? 8, (p) => applyDoc(p));
    for (const p of docs) {
      const r = results.get(p);
      const applied = r && (r.status === 'created' || r.status === 'configured' || r.status === 'unchanged');
      if (applied || !p.ref) continue;
      if (p.kind === 'Namespace') notApplied.add(`ns/${p.ref.name}`);
      if (p.kind === 'CustomResourceDefinition') notApplied.add(`crd/${p.ref.name}`);
    }
  }

  const conflicted = plan.map((p) => results.get(p)).filter((r): r is DocResult => r?.status === 'conflict');
  if (conflicted.length > 0 && !stopped && options.confirmForce && (await options.confirmForce(conflicted))) {
    for (const r of conflicted) await applyDoc(r.planned, true);
  }
  return { context, dryRun, results: plan.map((p) => results.get(p)!) };
}

/** Whether the apply of a workload created it or changed its pod template (what makes its controller roll out). */
function startsRollout(
  ref: ObjectRef,
  status: ApplyStatus,
  live: KubeObject | undefined,
  applied: KubeObject,
): boolean {
  if (ref.group !== 'apps' || !rolloutKindOf(ref.plural)) return false;
  if (status === 'created') return true;
  if (status !== 'configured' || !live) return false;
  const template = (obj: KubeObject): Record<string, unknown> =>
    (obj.spec as { template?: Record<string, unknown> } | undefined)?.template ?? {};
  return !sameTemplate(template(live), template(applied));
}

/** Whether a dry-run result differs from the live object in anything but server-managed fields. */
function sameObject(live: KubeObject, result: KubeObject): boolean {
  return JSON.stringify(cleanForDiff(live)) === JSON.stringify(cleanForDiff(result));
}

/** Deletes each planned object, in reverse apply order; an object that is already gone is reported as such. */
export async function deletePlanned(
  client: ApplyTransport,
  plan: readonly PlannedDoc[],
  context: string,
): Promise<ApplyReport> {
  const results: DocResult[] = [];
  let stopped: string | undefined;
  for (const p of [...plan].reverse()) {
    if (p.error || !p.ref) {
      results.push({
        planned: p,
        status: 'failed',
        message: p.error?.message ?? 'cannot be deleted',
        line: p.error?.line ?? p.doc.startLine,
      });
      continue;
    }
    if (stopped) {
      results.push({ planned: p, status: 'skipped', message: `not deleted: ${stopped}`, line: p.doc.startLine });
      continue;
    }
    const what = `deleting ${describeDoc(p)}`;
    try {
      // Only the object that is there now: its uid, read just before, is the delete's precondition. One deleted
      // and created again in between (or a path that resolves elsewhere) makes the server refuse with 409.
      const live = await getLive(client, p.ref, `reading ${describeDoc(p)} before deleting it`);
      const uid = live?.metadata?.uid;
      if (!live || typeof uid !== 'string') {
        results.push({ planned: p, status: 'notFound', line: p.doc.startLine });
        continue;
      }
      const options = {
        kind: 'DeleteOptions',
        apiVersion: 'v1',
        propagationPolicy: 'Background',
        preconditions: { uid },
      };
      await client.request(
        objectPath(p.ref),
        { method: 'DELETE', body: JSON.stringify(options), contentType: 'application/json' },
        what,
      );
      results.push({ planned: p, status: 'deleted', line: p.doc.startLine });
    } catch (err) {
      const error = toKubeError(err, what);
      if (error.kind === 'notFound') {
        results.push({ planned: p, status: 'notFound', line: p.doc.startLine });
        continue;
      }
      if (error.kind === 'unreachable' || error.kind === 'timeout') stopped = `context "${context}" stopped answering`;
      if (error.kind === 'conflict') {
        results.push({
          planned: p,
          status: 'failed',
          message: `not deleted: it was replaced (deleted and created again) after it was read; ${error.message}`,
          line: p.doc.startLine,
        });
        continue;
      }
      const failure = failureOf(p, error);
      results.push({ planned: p, status: 'failed', message: failure.message, line: failure.line });
    }
  }
  return { context, dryRun: false, results: results.reverse() };
}

// ── preview ─────────────────────────────────────────────────────────────────────────────────────────────

const NOISY_METADATA = ['managedFields', 'resourceVersion', 'uid', 'generation', 'creationTimestamp', 'selfLink'];
const NOISY_ANNOTATIONS = ['kubectl.kubernetes.io/last-applied-configuration', 'deployment.kubernetes.io/revision'];

/** A copy without server-managed noise (managedFields, resourceVersion, uid, generation, timestamps, status). */
export function cleanForDiff(obj: KubeObject): KubeObject {
  const copy = JSON.parse(JSON.stringify(obj)) as KubeObject;
  delete copy.status;
  const metadata = copy.metadata as Record<string, unknown> | undefined;
  if (metadata) {
    for (const key of NOISY_METADATA) delete metadata[key];
    const annotations = metadata.annotations as Record<string, string> | undefined;
    if (annotations) {
      for (const key of NOISY_ANNOTATIONS) delete annotations[key];
      if (Object.keys(annotations).length === 0) delete metadata.annotations;
    }
  }
  return copy;
}

/** Secret values replaced by their size, marked where the other side differs; both sides are masked. */
function maskSecretPair(left: KubeObject | undefined, right: KubeObject | undefined): void {
  for (const field of ['data', 'stringData']) {
    // Fail closed: a field that is not a map of values (a string, a list) is masked whole.
    for (const side of [left, right]) {
      const value = side?.[field];
      if (side && value !== undefined && (typeof value !== 'object' || value === null || Array.isArray(value)))
        side[field] = MASK;
    }
    const l = typeof left?.[field] === 'object' ? (left[field] as Record<string, unknown>) : undefined;
    const r = typeof right?.[field] === 'object' ? (right[field] as Record<string, unknown>) : undefined;
    const rawLeft = l ? { ...l } : undefined;
    const masked = (v: unknown): string =>
      `${MASK} (${field === 'data' ? Buffer.from(String(v), 'base64').length : Buffer.byteLength(String(v))} bytes)`;
    if (l) for (const key of Object.keys(l)) l[key] = masked(l[key]);
    if (r) {
      for (const key of Object.keys(r)) {
        const changed = left !== undefined && rawLeft?.[key] !== r[key];
        r[key] = `${masked(r[key])}${changed ? ' (changed)' : ''}`;
      }
    }
  }
}

/** The live and dry-run sides of one document, as YAML texts with noise stripped and Secrets masked. */
export function previewTexts(
  live: KubeObject | undefined,
  result: KubeObject | undefined,
): { left: string; right: string } {
  const l = live ? cleanForDiff(live) : undefined;
  const r = result ? cleanForDiff(result) : undefined;
  if ((l ?? r)?.kind === 'Secret') maskSecretPair(l, r);
  return { left: l ? stringify(l) : '', right: r ? stringify(r) : '' };
}

export interface PreviewDoc {
  readonly planned: PlannedDoc;
  readonly left: string;
  readonly right: string;
  readonly result: DocResult;
}

/** Dry-runs every document (server-side, nothing is changed) and pairs each with the live object. */
export async function previewPlanned(
  client: ApplyTransport,
  plan: readonly PlannedDoc[],
  context: string,
  signal?: AbortSignal,
): Promise<PreviewDoc[]> {
  const lives = new Map<PlannedDoc, KubeObject | undefined>();
  await pool(
    plan.filter((p) => p.ref),
    8,
    async (p) => {
      try {
        lives.set(p, await getLive(client, p.ref!, `reading ${describeDoc(p)}`));
      } catch {
        lives.set(p, undefined);
      }
    },
  );
  const report = await applyPlanned(client, plan, context, { dryRun: true, signal });
  // A conflict is shown as what a forced apply would make of the object (Apply asks before forcing).
  const forced = new Map<PlannedDoc, KubeObject>();
  await pool(
    report.results.filter((r) => r.status === 'conflict'),
    8,
    async (r) => {
      try {
        const { object } = await serverSideApply(client, r.planned.ref!, r.planned.body!, {
          dryRun: true,
          force: true,
          signal,
        });
        forced.set(r.planned, object);
      } catch {
        // The conflict stays as it is in the preview.
      }
    },
  );
  return report.results.map((result) => {
    const live = lives.get(result.planned);
    const { left, right } = previewTexts(live, result.object ?? forced.get(result.planned));
    return { planned: result.planned, left, right, result };
  });
}

// ── report ──────────────────────────────────────────────────────────────────────────────────────────────

const WORDS: Record<ApplyStatus, string> = {
  created: 'created',
  configured: 'configured',
  unchanged: 'unchanged',
  deleted: 'deleted',
  notFound: 'not found (already gone)',
  conflict: 'CONFLICT',
  failed: 'FAILED',
  skipped: 'skipped',
};

export function countsOf(report: ApplyReport): Record<ApplyStatus, number> {
  const counts = {
    created: 0,
    configured: 0,
    unchanged: 0,
    deleted: 0,
    notFound: 0,
    conflict: 0,
    failed: 0,
    skipped: 0,
  };
  for (const r of report.results) counts[r.status]++;
  return counts;
}

/** "Applied 3, unchanged 1, failed 1": what the notification says. */
export function summaryOf(report: ApplyReport, verb = report.dryRun ? 'Would apply' : 'Applied'): string {
  const c = countsOf(report);
  const parts: string[] = [];
  if (c.deleted + c.notFound > 0 || verb === 'Deleted') {
    parts.push(`Deleted ${c.deleted}`);
    if (c.notFound) parts.push(`already gone ${c.notFound}`);
  } else {
    parts.push(`${verb} ${c.created + c.configured}`);
    if (c.unchanged) parts.push(`unchanged ${c.unchanged}`);
  }
  if (c.conflict) parts.push(`conflicts ${c.conflict}`);
  if (c.failed) parts.push(`failed ${c.failed}`);
  if (c.skipped) parts.push(`skipped ${c.skipped}`);
  return `${parts.join(', ')} on ${report.context}`;
}

/** One line per document: `file:line [doc N] Kind namespace/name: status — why`. Never holds Secret values. */
export function reportLines(report: ApplyReport): string[] {
  return report.results.map((r) => {
    const p = r.planned;
    const name = p.ref ? `${p.ref.namespace ? `${p.ref.namespace}/` : ''}${p.ref.name}` : '';
    const what = [p.kind || 'document', name].filter(Boolean).join(' ');
    const status =
      report.dryRun && ['created', 'configured'].includes(r.status) ? `would be ${r.status}` : WORDS[r.status];
    const conflicts = r.conflicts?.length
      ? `\n    ${r.conflicts.map((c) => `${c.field}: owned by "${c.manager}"`).join('\n    ')}`
      : '';
    return `${p.doc.source}:${r.line} [document ${p.doc.index}] ${what}: ${status}${r.message ? ` — ${r.message}` : ''}${conflicts}`;
  });
}
