/**
 * The cluster tools an agent can call, described once (name, input schema, whether it changes anything) and run
 * from the same core as the UI: the watch cache for lists, the production guard and the agent policy for every
 * request (GatedTransport), masked Secrets, server-side dry runs. VS Code's language model tools and the
 * standalone MCP server both read this table.
 */
import { stringify } from 'yaml';
import { unifiedDiff } from '../common/lineDiff';
import { KubeError, toKubeError } from '../kube/errors';
import { splitManifests } from '../apply/manifestFiles';
import { planApply, type PlannedDoc } from '../apply/applyPlan';
import { applyPlanned, previewPlanned, reportLines, summaryOf } from '../apply/serverSideApply';
import { describeText, deleteObject, getObject } from '../objects/objectApi';
import { forDisplay } from '../resources/editableObject';
import { hasCapability, type Capability, type KindInfo } from '../resources/kinds';
import type { KubeObject } from '../resources/kubeObject';
import { parseLabelSelector } from '../resources/labelSelector';
import { collectionOf, describeRef, objectPath, type ObjectRef } from '../resources/objectRef';
import type { ResourceRow } from '../resources/rows';
import { containersOf, isRolloutKind, progressText, rolloutStatus } from '../rollout/rollout';
import { history, restart, scale, undo } from '../rollout/rolloutApi';
import { sanitizeLogText } from '../streams/logText';
import { contextAllowed, type Permit, type ToolCall } from './agentPolicy';
import { AGENT_HOLDER, connectedResources, contextFor, resolveKind, syncedList, type AgentEnv } from './agentEnv';
import { GatedTransport } from './gatedTransport';

export { AGENT_HOLDER };

type JsonSchema = Record<string, unknown>;
export type ToolInput = Record<string, unknown>;

/** What a change tool will do, worked out before anything is sent: the confirmation and the requests it may send. */
export interface ChangePlan {
  readonly context: string;
  readonly title: string;
  /** Names the context, namespace and every object the change touches. */
  readonly message: string;
  readonly permits: readonly Permit[];
}

export interface AgentTool {
  readonly name: string;
  /** A short human title (VS Code shows it). */
  readonly title: string;
  /** What the model reads to choose the tool. */
  readonly description: string;
  readonly inputSchema: JsonSchema;
  readonly changes: boolean;
  /** The kind capability a change needs (the kind registry decides which kinds can be scaled, restarted, …). */
  readonly capability?: Capability;
  /** Change tools: what the call would do, for the confirmation and the gate. */
  plan?(env: AgentEnv, input: ToolInput): Promise<ChangePlan>;
  run(env: AgentEnv, input: ToolInput): Promise<string>;
}

// ── input ──────────────────────────────────────────────────────────────────────────────────────────────────

function text(input: ToolInput, key: string): string | undefined {
  const v = input[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw new KubeError('invalid', `"${key}" must be a string`);
  return v;
}

function required(input: ToolInput, key: string): string {
  const v = text(input, key)?.trim();
  if (!v) throw new KubeError('invalid', `"${key}" is required`);
  return v;
}

function integer(input: ToolInput, key: string, min: number, max: number): number | undefined {
  const v = input[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw new KubeError('invalid', `"${key}" must be a whole number from ${min} to ${max}`);
  }
  return v;
}

const str = (description: string): JsonSchema => ({ type: 'string', description });
const CONTEXT = str('Kubeconfig context; the current context when omitted.');
const KIND = str('Kind, plural or short name, optionally with its API group: Pod, pods, po, deployments.apps.');
const NAMESPACE = str('Namespace of the object.');
const NAME = str('Name of the object.');
/** One namespaced object: what rollout, delete and the other single-object tools take. */
const NAMESPACED_OBJECT_INPUT: JsonSchema = {
  type: 'object',
  properties: { context: CONTEXT, kind: KIND, namespace: NAMESPACE, name: NAME },
  required: ['kind', 'namespace', 'name'],
};

// ── answers ────────────────────────────────────────────────────────────────────────────────────────────────

/** Cuts an answer to the budget at a line end, saying how much was left out. */
export function fitAnswer(answer: string, budget: number, hint = 'ask for less'): string {
  if (answer.length <= budget) return answer;
  const room = Math.max(0, budget - 160);
  const cut = answer.lastIndexOf('\n', room);
  const kept = answer.slice(0, cut > 0 ? cut : room);
  return `${kept}\n… answer cut at ${kept.length} of ${answer.length} characters by the answer budget: ${hint}`;
}

function transportFor(env: AgentEnv, context: string, call: ToolCall): GatedTransport {
  return new GatedTransport(env.sessions.get(context).client, env.policy, call);
}

const readCall = (tool: string): ToolCall => ({ tool, changes: false, permits: [] });

async function kindOn(env: AgentEnv, context: string, kindText: string): Promise<KindInfo> {
  const resources = await connectedResources(env.sessions.get(context));
  return resolveKind(resources, kindText, context);
}

function refOf(context: string, kind: KindInfo, namespace: string | undefined, name: string): ObjectRef {
  if (kind.namespaced && !namespace?.trim()) {
    throw new KubeError('invalid', `${kind.kind} is namespaced: give "namespace" for ${name}`);
  }
  const ref: ObjectRef = {
    context,
    group: kind.group,
    version: kind.version,
    plural: kind.plural,
    kind: kind.kind,
    namespace: kind.namespaced ? namespace?.trim() : undefined,
    name,
  };
  objectPath(ref); // a name that is not a path segment (`..`, `a/b`) fails here, before anything is sent
  return ref;
}

async function objectRefFor(env: AgentEnv, input: ToolInput): Promise<ObjectRef> {
  const context = contextFor(env, text(input, 'context'));
  const kind = await kindOn(env, context, required(input, 'kind'));
  return refOf(context, kind, text(input, 'namespace'), required(input, 'name'));
}

function guardNote(env: AgentEnv, context: string): string {
  const policy = env.productPolicy(context);
  if (policy === 'confirm') return `\n\nContext "${context}" asks before every change.`;
  return '';
}

function tsv(cells: readonly (string | undefined)[]): string {
  return cells.map((c) => (c ?? '').replace(/[\t\n]/g, ' ') || '-').join('\t');
}

/** Picks `spec.replicas`, `status.conditions`, `metadata.labels.app` out of an object. */
function selectFields(obj: KubeObject, fields: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const field of fields) {
    let value: unknown = obj;
    for (const part of field.split('.').filter(Boolean)) {
      value =
        typeof value === 'object' && value !== null && Object.prototype.hasOwnProperty.call(value, part)
          ? (value as Record<string, unknown>)[part]
          : undefined;
    }
    out[field] = value === undefined ? null : value;
  }
  return out;
}

// ── the tools ──────────────────────────────────────────────────────────────────────────────────────────────

const listContexts: AgentTool = {
  name: 'kwb_list_contexts',
  title: 'List Kubernetes contexts',
  description:
    'Lists the kubeconfig contexts agents may use: name, cluster, user, default namespace, and whether changes are allowed (normal, confirm, read-only).',
  inputSchema: { type: 'object', properties: {} },
  changes: false,
  run(env) {
    const merged = env.kubeconfig();
    const lines = [tsv(['CONTEXT', 'CLUSTER', 'USER', 'NAMESPACE', 'CHANGES'])];
    for (const c of merged.contexts) {
      if (!contextAllowed(env.policy, c.name)) continue;
      const guard = env.productPolicy(c.name);
      const changes = !env.policy.allowChanges
        ? 'read-only (agent policy)'
        : guard === 'readOnly'
          ? 'read-only'
          : guard;
      lines.push(
        tsv([
          `${c.name}${c.name === merged.currentContext ? ' (current)' : ''}`,
          c.cluster,
          c.user,
          c.namespace,
          changes,
        ]),
      );
    }
    return Promise.resolve(fitAnswer(lines.join('\n'), env.policy.answerChars));
  },
};

const listObjects: AgentTool = {
  name: 'kwb_list_objects',
  title: 'List Kubernetes objects',
  description:
    'Lists objects of one kind from the watch cache as compact rows (namespace, name, status, created, controller), sorted; filters by namespace, name substring and label selector, across several contexts. Answers are bounded: the count of rows left out is given, with the offset to ask for the next ones.',
  inputSchema: {
    type: 'object',
    properties: {
      kind: KIND,
      contexts: {
        type: 'array',
        items: { type: 'string' },
        description: 'Contexts to list; the current one when omitted.',
      },
      namespace: str('Only this namespace; all namespaces when omitted.'),
      name: str('Only names containing this text (case-insensitive).'),
      labelSelector: str('Label selector as kubectl -l takes it: app=web,tier!=db,env in (a,b).'),
      offset: { type: 'number', description: 'Skip this many matching rows (to page through a long list).' },
    },
    required: ['kind'],
  },
  changes: false,
  async run(env, input) {
    const kindText = required(input, 'kind');
    const asked = input.contexts;
    if (asked !== undefined && (!Array.isArray(asked) || asked.some((c) => typeof c !== 'string'))) {
      throw new KubeError('invalid', '"contexts" must be a list of context names');
    }
    const contexts = [...new Set(asked?.length ? (asked as string[]) : [undefined])].map((c) => contextFor(env, c));
    const namespace = text(input, 'namespace')?.trim() || undefined;
    const nameText = text(input, 'name')?.trim().toLowerCase();
    const selectorText = text(input, 'labelSelector')?.trim();
    const selector = selectorText ? parseLabelSelector(selectorText) : undefined;
    const offset = integer(input, 'offset', 0, Number.MAX_SAFE_INTEGER) ?? 0;
    const multi = contexts.length > 1;
    const matched: { context: string; row: ResourceRow }[] = [];
    const notes: string[] = [];
    let kindName = kindText;
    for (const context of contexts) {
      try {
        const session = env.sessions.get(context);
        const kind = await kindOn(env, context, kindText);
        kindName = kind.kind;
        const key = { ...kind, namespace: kind.namespaced ? namespace : undefined };
        const { snapshot, partial } = await syncedList(env, session, key);
        if (partial) notes.push(`${context}: still listing (${snapshot.items.length} rows so far)`);
        for (const row of snapshot.items) {
          if (nameText && !row.name.toLowerCase().includes(nameText)) continue;
          if (selector && !selector(row.labels)) continue;
          matched.push({ context, row });
        }
      } catch (err) {
        // One context that fails (down, forbidden) does not hide the others; alone, it is the answer.
        if (!multi) throw err;
        notes.push(`${context}: ${toKubeError(err, `listing ${kindText}`).message}`);
      }
    }
    const header = tsv([...(multi ? ['CONTEXT'] : []), 'NAMESPACE', 'NAME', 'STATUS', 'CREATED', 'CONTROLLER']);
    const lines: string[] = [];
    let used = header.length + 200;
    let shown = 0;
    for (const { context, row } of matched.slice(offset)) {
      const line = tsv([...(multi ? [context] : []), row.namespace, row.name, row.status, row.created, row.controller]);
      if (used + line.length + 1 > env.policy.answerChars) break;
      lines.push(line);
      used += line.length + 1;
      shown++;
    }
    const left = matched.length - offset - shown;
    const where = `${namespace ? `namespace ${namespace}` : 'all namespaces'} of ${contexts.join(', ')}`;
    const summary =
      `${kindName}: ${matched.length} matching in ${where}; rows ${matched.length === 0 ? 0 : offset + 1}-${offset + shown} shown` +
      (left > 0
        ? `, ${left} more left out (ask again with offset=${offset + shown}, or narrow by namespace, name or labelSelector)`
        : '');
    return [summary, ...notes, header, ...lines].join('\n');
  },
};

const getObjectTool: AgentTool = {
  name: 'kwb_get_object',
  title: 'Get a Kubernetes object',
  description:
    'Reads one object as YAML (managedFields dropped, Secret values masked). "fields" selects dotted paths (spec.replicas, status.conditions) to keep the answer small.',
  inputSchema: {
    type: 'object',
    properties: {
      context: CONTEXT,
      kind: KIND,
      namespace: NAMESPACE,
      name: NAME,
      fields: {
        type: 'array',
        items: { type: 'string' },
        description: 'Dotted field paths to return instead of the whole object.',
      },
    },
    required: ['kind', 'name'],
  },
  changes: false,
  async run(env, input) {
    const ref = await objectRefFor(env, input);
    const obj = await getObject(transportFor(env, ref.context, readCall(this.name)), ref);
    const shown = forDisplay(obj, { mode: 'masked', showStatus: true });
    const fields = input.fields;
    if (fields !== undefined && (!Array.isArray(fields) || fields.some((f) => typeof f !== 'string'))) {
      throw new KubeError('invalid', '"fields" must be a list of dotted paths');
    }
    const body = fields?.length ? selectFields(shown, fields as string[]) : shown;
    return fitAnswer(stringify(body, { lineWidth: 0 }), env.policy.answerChars, 'ask for fields');
  },
};

const describeTool: AgentTool = {
  name: 'kwb_describe',
  title: 'Describe a Kubernetes object',
  description:
    'A compact kubectl describe of one object, with its conditions and events. Secret values are never shown.',
  inputSchema: {
    type: 'object',
    properties: { context: CONTEXT, kind: KIND, namespace: NAMESPACE, name: NAME },
    required: ['kind', 'name'],
  },
  changes: false,
  async run(env, input) {
    const ref = await objectRefFor(env, input);
    const answer = await describeText(transportFor(env, ref.context, readCall(this.name)), ref);
    return fitAnswer(answer, env.policy.answerChars);
  },
};

interface EventItem {
  type?: string;
  reason?: string;
  message?: string;
  count?: number;
  lastTimestamp?: string | null;
  eventTime?: string | null;
  series?: { count?: number; lastObservedTime?: string };
  metadata?: { creationTimestamp?: string; namespace?: string; name?: string };
  involvedObject?: { kind?: string; name?: string; namespace?: string };
}

const warningEvents: AgentTool = {
  name: 'kwb_warning_events',
  title: 'Recent Kubernetes warnings',
  description:
    'The most recent Warning events of a namespace (or all namespaces), newest first, with the object each is about.',
  inputSchema: {
    type: 'object',
    properties: { context: CONTEXT, namespace: str('Only this namespace; all namespaces when omitted.') },
  },
  changes: false,
  async run(env, input) {
    const context = contextFor(env, text(input, 'context'));
    const namespace = text(input, 'namespace')?.trim() || undefined;
    const list = await transportFor(env, context, readCall(this.name)).getJson<{ items?: EventItem[] }>(
      collectionOf('Event', namespace),
      { query: { fieldSelector: 'type=Warning', limit: 500 } },
      `reading the warning events of ${namespace ? `namespace ${namespace}` : 'all namespaces'} on ${context}`,
    );
    const at = (e: EventItem): string =>
      e.series?.lastObservedTime ?? e.lastTimestamp ?? e.eventTime ?? e.metadata?.creationTimestamp ?? '';
    const items = (list.items ?? []).sort(
      (a, b) => at(b).localeCompare(at(a)) || (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''),
    );
    const lines = [
      `${items.length} warning event${items.length === 1 ? '' : 's'} in ${namespace ? `namespace ${namespace}` : 'all namespaces'} of ${context}`,
      tsv(['LAST SEEN', 'NAMESPACE', 'OBJECT', 'REASON', 'COUNT', 'MESSAGE']),
      ...items.map((e) =>
        tsv([
          at(e),
          e.involvedObject?.namespace ?? e.metadata?.namespace,
          `${e.involvedObject?.kind ?? ''}/${e.involvedObject?.name ?? ''}`,
          e.reason,
          String(e.series?.count ?? e.count ?? 1),
          sanitizeLogText(e.message ?? ''),
        ]),
      ),
    ];
    return fitAnswer(lines.join('\n'), env.policy.answerChars, 'narrow by namespace');
  },
};

// eslint-disable-next-line no-control-regex
const SGR = /\x1b\[[0-9;]*m/g;

const logs: AgentTool = {
  name: 'kwb_logs',
  title: 'Read container logs',
  description:
    'The last lines of a container log (tail, since, previous instance). Bounded by lines and by the answer budget; terminal escape sequences are removed.',
  inputSchema: {
    type: 'object',
    properties: {
      context: CONTEXT,
      namespace: NAMESPACE,
      pod: str('Name of the pod.'),
      container: str('Container; needed when the pod has several.'),
      tailLines: { type: 'number', description: 'How many of the last lines (default 100, at most 5000).' },
      sinceSeconds: { type: 'number', description: 'Only lines of the last N seconds.' },
      previous: { type: 'boolean', description: 'The log of the previous (crashed) instance of the container.' },
    },
    required: ['namespace', 'pod'],
  },
  changes: false,
  async run(env, input) {
    const context = contextFor(env, text(input, 'context'));
    const namespace = required(input, 'namespace');
    const pod = required(input, 'pod');
    const container = text(input, 'container')?.trim() || undefined;
    const tailLines = integer(input, 'tailLines', 1, 5000) ?? 100;
    const sinceSeconds = integer(input, 'sinceSeconds', 1, 10 * 365 * 86_400);
    if (input.previous !== undefined && typeof input.previous !== 'boolean') {
      throw new KubeError('invalid', '"previous" must be true or false');
    }
    const ref: ObjectRef = { context, group: '', version: 'v1', plural: 'pods', kind: 'Pod', namespace, name: pod };
    const res = await transportFor(env, context, readCall(this.name)).request(
      `${objectPath(ref)}/log`,
      {
        query: {
          container,
          tailLines,
          sinceSeconds,
          previous: input.previous === true ? true : undefined,
          limitBytes: env.policy.answerChars * 4,
        },
        accept: '*/*',
      },
      `reading the log of ${describeRef(ref)}${container ? ` container ${container}` : ''}`,
    );
    const lines = sanitizeLogText(res.body.toString('utf8')).replace(SGR, '').split('\n');
    if (lines.at(-1) === '') lines.pop();
    // The end of a log matters most: lines are dropped from the front.
    let used = 0;
    let first = lines.length;
    while (first > 0 && used + lines[first - 1]!.length + 1 <= env.policy.answerChars - 200) {
      used += lines[first - 1]!.length + 1;
      first--;
    }
    const header = `${lines.length} line${lines.length === 1 ? '' : 's'} of ${namespace}/${pod}${container ? ` (${container})` : ''}${first > 0 ? `; the first ${first} left out by the answer budget` : ''}`;
    return [header, ...lines.slice(first)].join('\n');
  },
};

function rolloutRefFor(tool: string) {
  return async (env: AgentEnv, input: ToolInput): Promise<ObjectRef> => {
    const ref = await objectRefFor(env, input);
    if (!isRolloutKind(ref.kind) || !hasCapability(ref.kind, tool === 'kwb_rollout_history' ? 'history' : 'status')) {
      throw new KubeError(
        'invalid',
        `${describeRef(ref)} has no rollouts (only Deployments, StatefulSets, DaemonSets)`,
      );
    }
    return ref;
  };
}

const rolloutStatusTool: AgentTool = {
  name: 'kwb_rollout_status',
  title: 'Rollout status',
  description: 'kubectl rollout status for a Deployment, StatefulSet or DaemonSet, read once (does not wait).',
  inputSchema: NAMESPACED_OBJECT_INPUT,
  changes: false,
  async run(env, input) {
    const ref = await rolloutRefFor(this.name)(env, input);
    const obj = await getObject(transportFor(env, ref.context, readCall(this.name)), ref);
    const status = rolloutStatus(ref.kind as Parameters<typeof rolloutStatus>[0], obj);
    return `${status.state}: ${status.message}\n${progressText(status.progress)}`;
  },
};

const rolloutHistoryTool: AgentTool = {
  name: 'kwb_rollout_history',
  title: 'Rollout history',
  description: 'The revisions of a Deployment, StatefulSet or DaemonSet, oldest first, with change cause and images.',
  inputSchema: rolloutStatusTool.inputSchema,
  changes: false,
  async run(env, input) {
    const ref = await rolloutRefFor(this.name)(env, input);
    const { revisions } = await history(transportFor(env, ref.context, readCall(this.name)), ref);
    const lines = [
      `${describeRef(ref)}: ${revisions.length} revision${revisions.length === 1 ? '' : 's'}`,
      tsv(['REVISION', 'CREATED', 'CHANGE-CAUSE', 'IMAGES']),
      ...revisions.map((r) =>
        tsv([
          String(r.revision),
          r.created,
          r.changeCause,
          containersOf({ kind: 'Pod', spec: (r.template.spec ?? {}) as Record<string, unknown> })
            .map((c) => `${c.name}=${c.image}`)
            .join(', '),
        ]),
      ),
    ];
    return fitAnswer(lines.join('\n'), env.policy.answerChars);
  },
};

const MANIFEST_SOURCE = 'manifest';

async function planManifest(
  env: AgentEnv,
  input: ToolInput,
): Promise<{ context: string; namespace: string; plan: PlannedDoc[] }> {
  const context = contextFor(env, text(input, 'context'));
  const manifest = required(input, 'manifest');
  const info = env.kubeconfig().contexts.find((c) => c.name === context);
  const namespace = text(input, 'namespace')?.trim() || info?.namespace || 'default';
  const resources = await connectedResources(env.sessions.get(context));
  const plan = planApply(splitManifests(manifest, MANIFEST_SOURCE), resources, { context, namespace });
  if (plan.length === 0) throw new KubeError('invalid', 'The manifest holds no documents');
  return { context, namespace, plan };
}

function docName(p: PlannedDoc): string {
  return p.ref ? `${p.kind} ${p.ref.namespace ? `${p.ref.namespace}/` : ''}${p.ref.name}` : `document ${p.doc.index}`;
}

const MANIFEST_INPUT: JsonSchema = {
  type: 'object',
  properties: {
    context: CONTEXT,
    namespace: str("Namespace for documents that name none; the context's namespace (or default) when omitted."),
    manifest: str('YAML text of one or more documents (separated by ---).'),
  },
  required: ['manifest'],
};

const dryRun: AgentTool = {
  name: 'kwb_dry_run_apply',
  title: 'Preview a server-side apply',
  description:
    'Server-side dry run of a manifest (nothing is changed): per document, whether it would be created, configured or unchanged, or why it fails, with a diff of the live object against the result. Secret values are masked.',
  inputSchema: MANIFEST_INPUT,
  changes: false,
  async run(env, input) {
    const { context, plan } = await planManifest(env, input);
    const previews = await previewPlanned(transportFor(env, context, readCall(this.name)), plan, context);
    const report = { context, dryRun: true, results: previews.map((p) => p.result) };
    const out = [summaryOf(report), ...reportLines(report)];
    for (const p of previews) {
      const diff = unifiedDiff(p.left, p.right, { left: `live ${docName(p.planned)}`, right: 'after apply' });
      if (diff) out.push('', diff);
    }
    return fitAnswer(out.join('\n'), env.policy.answerChars, 'dry-run fewer documents at a time');
  },
};

const apply: AgentTool = {
  name: 'kwb_apply',
  title: 'Apply a manifest (server-side)',
  description:
    'Server-side apply of a manifest (field manager kube-workbench). Conflicts with other managers are reported, not forced. Says exactly which documents were applied and which were not.',
  inputSchema: MANIFEST_INPUT,
  changes: true,
  async plan(env, input) {
    return (await applyChange(env, input)).change;
  },
  async run(env, input) {
    const { change, plan } = await applyChange(env, input);
    const call: ToolCall = { tool: this.name, changes: true, permits: change.permits };
    const report = await applyPlanned(transportFor(env, change.context, call), plan, change.context);
    return fitAnswer([summaryOf(report), ...reportLines(report)].join('\n'), env.policy.answerChars);
  },
};

/** The confirmation and permits of an apply, from the same plan the apply then sends. */
async function applyChange(env: AgentEnv, input: ToolInput): Promise<{ change: ChangePlan; plan: PlannedDoc[] }> {
  const { context, namespace, plan } = await planManifest(env, input);
  const applicable = plan.filter((p) => p.ref && p.body && !p.error);
  const broken = plan.length - applicable.length;
  const lines = applicable.map((p) => `- ${docName(p)}`);
  if (broken > 0)
    lines.push(`(${broken} document${broken === 1 ? '' : 's'} cannot be applied and will be reported as failed)`);
  const change: ChangePlan = {
    context,
    title: `Apply ${applicable.length} object${applicable.length === 1 ? '' : 's'} on ${context}?`,
    message: `Server-side apply on context "${context}" (default namespace ${namespace}):\n${lines.join('\n')}${guardNote(env, context)}`,
    permits: applicable.map((p) => ({ method: 'PATCH', path: objectPath(p.ref!) })),
  };
  return { change, plan };
}

async function capableRef(env: AgentEnv, input: ToolInput, capability: Capability, verb: string): Promise<ObjectRef> {
  const ref = await objectRefFor(env, input);
  if (!hasCapability(ref.kind, capability)) {
    throw new KubeError('invalid', `${describeRef(ref)} cannot be ${verb} (a ${ref.kind} has no ${capability} action)`);
  }
  return ref;
}

function objectChange(ref: ObjectRef, title: string, detail: string, env: AgentEnv, permits: Permit[]): ChangePlan {
  return {
    context: ref.context,
    title,
    message: `${detail}\nContext: ${ref.context}\nNamespace: ${ref.namespace ?? '(cluster-scoped)'}\nObject: ${ref.kind} ${ref.name}${guardNote(env, ref.context)}`,
    permits,
  };
}

const scaleTool: AgentTool = {
  name: 'kwb_scale',
  title: 'Scale a workload',
  description: 'Sets the replicas of a Deployment, StatefulSet or ReplicaSet (the scale subresource).',
  inputSchema: {
    type: 'object',
    properties: {
      context: CONTEXT,
      kind: KIND,
      namespace: NAMESPACE,
      name: NAME,
      replicas: { type: 'number', description: 'The new number of replicas.' },
    },
    required: ['kind', 'namespace', 'name', 'replicas'],
  },
  changes: true,
  capability: 'scale',
  async plan(env, input) {
    const ref = await capableRef(env, input, 'scale', 'scaled');
    const replicas = integer(input, 'replicas', 0, 100_000);
    if (replicas === undefined) throw new KubeError('invalid', '"replicas" is required');
    return objectChange(ref, `Scale ${ref.kind} ${ref.name} to ${replicas}?`, `Scale to ${replicas} replicas.`, env, [
      { method: 'PATCH', path: `${objectPath(ref)}/scale` },
    ]);
  },
  async run(env, input) {
    const change = await this.plan!(env, input);
    const ref = await capableRef(env, input, 'scale', 'scaled');
    const call: ToolCall = { tool: this.name, changes: true, permits: change.permits };
    return scale(transportFor(env, ref.context, call), ref, input.replicas as number);
  },
};

const restartTool: AgentTool = {
  name: 'kwb_rollout_restart',
  title: 'Restart a rollout',
  description: 'kubectl rollout restart: a new rollout of a Deployment, StatefulSet or DaemonSet with the same spec.',
  inputSchema: rolloutStatusTool.inputSchema,
  changes: true,
  capability: 'restart',
  async plan(env, input) {
    const ref = await capableRef(env, input, 'restart', 'restarted');
    return objectChange(ref, `Restart ${ref.kind} ${ref.name}?`, 'Restart the rollout (every pod is replaced).', env, [
      { method: 'PATCH', path: objectPath(ref) },
    ]);
  },
  async run(env, input) {
    const change = await this.plan!(env, input);
    const ref = await capableRef(env, input, 'restart', 'restarted');
    return restart(transportFor(env, ref.context, { tool: this.name, changes: true, permits: change.permits }), ref);
  },
};

const undoTool: AgentTool = {
  name: 'kwb_rollout_undo',
  title: 'Undo a rollout',
  description: 'kubectl rollout undo: back to the previous revision, or to toRevision.',
  inputSchema: {
    type: 'object',
    properties: {
      context: CONTEXT,
      kind: KIND,
      namespace: NAMESPACE,
      name: NAME,
      toRevision: { type: 'number', description: 'The revision to go back to; the previous one when omitted.' },
    },
    required: ['kind', 'namespace', 'name'],
  },
  changes: true,
  capability: 'undo',
  async plan(env, input) {
    const ref = await capableRef(env, input, 'undo', 'rolled back');
    const to = integer(input, 'toRevision', 1, Number.MAX_SAFE_INTEGER);
    return objectChange(
      ref,
      `Roll back ${ref.kind} ${ref.name}?`,
      `Roll back to ${to === undefined ? 'the previous revision' : `revision ${to}`}.`,
      env,
      [{ method: 'PATCH', path: objectPath(ref) }],
    );
  },
  async run(env, input) {
    const change = await this.plan!(env, input);
    const ref = await capableRef(env, input, 'undo', 'rolled back');
    const to = integer(input, 'toRevision', 1, Number.MAX_SAFE_INTEGER);
    return undo(transportFor(env, ref.context, { tool: this.name, changes: true, permits: change.permits }), ref, to);
  },
};

const deleteTool: AgentTool = {
  name: 'kwb_delete',
  title: 'Delete a Kubernetes object',
  description: 'Deletes one namespaced object (that very object: a uid precondition protects one recreated meanwhile).',
  inputSchema: NAMESPACED_OBJECT_INPUT,
  changes: true,
  async plan(env, input) {
    const ref = await objectRefFor(env, input);
    return objectChange(ref, `Delete ${ref.kind} ${ref.name}?`, 'Delete this object.', env, [
      { method: 'DELETE', path: objectPath(ref) },
    ]);
  },
  async run(env, input) {
    const change = await this.plan!(env, input);
    const ref = await objectRefFor(env, input);
    const transport = transportFor(env, ref.context, { tool: this.name, changes: true, permits: change.permits });
    const uid = (await getObject(transport, ref)).metadata?.uid;
    await deleteObject(transport, ref, typeof uid === 'string' ? uid : undefined);
    return `${describeRef(ref)} deleted on ${ref.context}`;
  },
};

/** Every tool, reads first. package.json's languageModelTools list the same names and schemas (a unit test checks). */
export const AGENT_TOOLS: readonly AgentTool[] = [
  listContexts,
  listObjects,
  getObjectTool,
  describeTool,
  warningEvents,
  logs,
  rolloutStatusTool,
  rolloutHistoryTool,
  dryRun,
  apply,
  scaleTool,
  restartTool,
  undoTool,
  deleteTool,
];

export function agentTool(name: string): AgentTool | undefined {
  return AGENT_TOOLS.find((t) => t.name === name);
}

/** Runs a tool, refusing a change tool the policy has off before anything is read. */
export async function runAgentTool(env: AgentEnv, name: string, input: ToolInput): Promise<string> {
  const tool = agentTool(name);
  if (!tool) throw new KubeError('invalid', `There is no tool ${name}`);
  if (tool.changes) {
    if (!env.policy.allowChanges) {
      throw new KubeError(
        'readOnly',
        `${name} is a change, and changes are off for agents (read-only policy): nothing was sent`,
      );
    }
    if (env.policy.changeTools !== 'all' && !env.policy.changeTools.includes(name)) {
      throw new KubeError('readOnly', `The tool ${name} is not enabled for agents: nothing was sent`);
    }
  }
  return tool.run(env, input);
}
