import type { Logger } from '../common/logger';
import type { ContextPolicy } from '../kube/contextPolicy';
import type { ApiResource } from '../kube/discovery';
import { KubeError } from '../kube/errors';
import type { MergedKubeconfig } from '../kube/kubeconfig';
import { discoveredKind, KINDS, type KindInfo } from '../resources/kinds';
import { keyId, type ResourceKey } from '../resources/objectRef';
import type { ResourceRow } from '../resources/rows';
import type { ClusterSession, SessionRegistry } from '../watch/clusterSession';
import type { ListSnapshot } from '../watch/watchedList';
import { contextAllowed, type AgentPolicy } from './agentPolicy';

/** What the tools run against: the user's kubeconfig, the sessions (watch caches) and the policies. */
export interface AgentEnv {
  readonly policy: AgentPolicy;
  kubeconfig(): MergedKubeconfig;
  readonly sessions: SessionRegistry;
  /** The product guard's word on a context (kubeWorkbench.readOnlyContexts / confirmContexts in VS Code). */
  productPolicy(context: string): ContextPolicy;
  readonly log: Logger;
  /** How long a first list may take to sync before the answer says what is known so far (default 60 s). */
  readonly syncTimeoutMs?: number;
}

/** The watch-cache holder of lists the tools started: released after each answer, kept warm for a while. */
export const AGENT_HOLDER = 'agent-tools';
const KEEP_WARM_MS = 5 * 60_000;

/** The context a tool addresses: the one asked for (checked against the kubeconfig and policy) or the current one. */
export function contextFor(env: AgentEnv, asked: string | undefined): string {
  const merged = env.kubeconfig();
  const name = asked?.trim() || merged.currentContext;
  if (!name) throw new KubeError('config', 'No context was named and the kubeconfig sets no current-context');
  if (!contextAllowed(env.policy, name)) {
    throw new KubeError(
      'readOnly',
      `Agent tools on context "${name}": the context is not allowed for agents (allowed: ${env.policy.allowedContexts.join(', ') || 'none'}); nothing was sent`,
    );
  }
  if (!merged.contexts.some((c) => c.name === name)) {
    const known = merged.contexts
      .map((c) => c.name)
      .filter((c) => contextAllowed(env.policy, c))
      .slice(0, 20);
    throw new KubeError('config', `There is no context "${name}" in the kubeconfig (contexts: ${known.join(', ')})`);
  }
  return name;
}

/** Waits for the session's discovery (the kinds the cluster serves). */
export async function connectedResources(session: ClusterSession, timeoutMs = 20_000): Promise<readonly ApiResource[]> {
  session.connect();
  const now = session.connectionState;
  if (now.state === 'connected') return now.resources;
  if (now.state === 'failed') throw now.error;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      sub.dispose();
      reject(new KubeError('timeout', `Context "${session.context}" did not answer within ${timeoutMs / 1000} s`));
    }, timeoutMs);
    const sub = session.onDidChangeConnection((state) => {
      if (state.state !== 'connected' && state.state !== 'failed') return;
      clearTimeout(timer);
      sub.dispose();
      if (state.state === 'connected') resolve(state.resources);
      else reject(state.error);
    });
  });
}

const BUILT_IN_GROUPS = new Set(KINDS.map((k) => k.group));

/**
 * A kind as an agent writes it (`Pod`, `pods`, `po`, `deployments.apps`, `Certificate.cert-manager.io`), matched
 * without regard to case against what the cluster serves. Ambiguous names are refused with the candidates.
 */
export function resolveKind(resources: readonly ApiResource[], text: string, context: string): KindInfo {
  const wanted = text.trim();
  if (wanted.length === 0) throw new KubeError('invalid', 'No kind was given');
  const dot = wanted.indexOf('.');
  const name = (dot < 0 ? wanted : wanted.slice(0, dot)).toLowerCase();
  const group = dot < 0 ? undefined : wanted.slice(dot + 1).toLowerCase();
  const matches = resources.filter(
    (r) =>
      (group === undefined || r.group.toLowerCase() === group) &&
      (r.kind.toLowerCase() === name ||
        r.plural.toLowerCase() === name ||
        r.shortNames.some((s) => s.toLowerCase() === name)),
  );
  // The built-in kind wins over a CRD that reuses its name (kubectl does the same for core groups).
  const preferred = matches.length > 1 ? matches.filter((r) => BUILT_IN_GROUPS.has(r.group)) : matches;
  const unique = [...new Map(preferred.map((r) => [`${r.group}/${r.plural}`, r])).values()];
  if (unique.length === 1) {
    const r = unique[0]!;
    return KINDS.find((k) => k.group === r.group && k.plural === r.plural) ?? discoveredKind(r);
  }
  if (unique.length > 1) {
    throw new KubeError(
      'invalid',
      `"${wanted}" names several kinds on context "${context}": ${unique.map((r) => `${r.plural}.${r.group || 'core'}`).join(', ')}; write it as plural.group`,
    );
  }
  throw new KubeError('invalid', `Context "${context}" serves no kind "${wanted}"`);
}

export interface SyncedList {
  readonly snapshot: ListSnapshot<ResourceRow>;
  /** The list had not finished its first sync when the answer was given. */
  readonly partial: boolean;
}

/** The watch cache's rows of `key`, started (and synced) if nobody watched it yet. */
export async function syncedList(env: AgentEnv, session: ClusterSession, key: ResourceKey): Promise<SyncedList> {
  const settled = (s: ListSnapshot<ResourceRow> | undefined): boolean => s?.state === 'ready' || s?.state === 'failed';
  try {
    let snapshot = session.list(key, AGENT_HOLDER);
    if (!settled(snapshot)) {
      const id = keyId(key);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, env.syncTimeoutMs ?? 60_000);
        const sub = session.onDidChangeList((changed) => {
          if (keyId(changed) === id && settled(session.peek(key))) done();
        });
        function done(): void {
          clearTimeout(timer);
          sub.dispose();
          resolve();
        }
      });
      snapshot = session.peek(key) ?? snapshot;
    }
    if (snapshot.state === 'failed' && snapshot.error) throw snapshot.error;
    if (snapshot.state !== 'ready' && snapshot.items.length === 0 && snapshot.error) throw snapshot.error;
    return { snapshot, partial: snapshot.state !== 'ready' };
  } finally {
    session.release(key, AGENT_HOLDER, KEEP_WARM_MS);
  }
}
