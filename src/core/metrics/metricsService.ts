import { realClock, type Clock, type TimerHandle } from '../common/clock';
import { Emitter, type Event } from '../common/event';
import type { Disposable } from '../common/disposable';
import type { Logger } from '../common/logger';
import type { ApiResource } from '../kube/discovery';
import { KubeError, toKubeError } from '../kube/errors';
import type { JsonTransport } from '../kube/transport';
import type { ConnectionState } from '../watch/clusterSession';
import { metricsServed, readNodeMetrics, readPodMetrics, type NodeUsage, type PodUsage } from './metricsApi';

/** What a view shows metrics for: the pods of a namespace (or of all namespaces), or the nodes. */
export type MetricsScope = { readonly kind: 'pods'; readonly namespace?: string } | { readonly kind: 'nodes' };

export function scopeId(scope: MetricsScope): string {
  return scope.kind === 'nodes' ? 'nodes' : `pods/${scope.namespace ?? '*'}`;
}

/**
 * Whether a context serves metrics: `unknown` until discovery or the first read says, `present` after a read
 * answered, `absent` (no metrics.k8s.io in discovery, or it answered 404/503) and `failed` (e.g. 403) for good:
 * neither is asked again until the context is connected anew (a new discovery).
 */
export type Availability =
  | { readonly state: 'unknown' }
  | { readonly state: 'present' }
  | { readonly state: 'absent'; readonly message: string }
  | { readonly state: 'failed'; readonly message: string };

/** What the service needs of a context's session. */
export interface MetricsSession {
  readonly client: JsonTransport;
  readonly connectionState: ConnectionState;
}

export interface MetricsDeps {
  readonly sessions: { get(context: string): MetricsSession };
  readonly log: Logger;
  /** The refresh interval in milliseconds; 0 turns metrics off (nothing is read, nothing is shown). */
  readonly refreshMs: () => number;
  readonly clock?: Clock;
}

interface ScopeData {
  readonly at: number;
  readonly pods?: ReadonlyMap<string, PodUsage>;
  readonly nodes?: ReadonlyMap<string, NodeUsage>;
}

interface ContextState {
  readonly session: MetricsSession;
  /** The discovery this state was judged on: a reconnect (new discovery) starts afresh. */
  readonly resources: readonly ApiResource[] | undefined;
  availability: Availability;
  readonly data: Map<string, ScopeData>;
  readonly inFlight: Map<string, Promise<void>>;
  requests: number;
}

export function notInstalledMessage(context: string): string {
  return `metrics-server is not installed on ${context}: CPU/memory not shown`;
}

/**
 * CPU and memory from metrics.k8s.io for what views show. A view holds scopes (a namespace's pods, all pods, the
 * nodes) while it shows them; while at least one is held and the view is visible, each held scope is read once per
 * interval (one request per namespace, or one for all namespaces, per round; never one per pod). Absence is found
 * once per context, from discovery where possible (no request at all), else from the first read's 404/503, and is
 * remembered: nothing polls a context without metrics.
 */
export class MetricsService implements Disposable {
  private readonly contexts = new Map<string, ContextState>();
  /** holder (a tree node id, a document uri) → what it shows. */
  private readonly holders = new Map<string, { context: string; scope: MetricsScope }[]>();
  /** Which views show metrics, and whether each is visible now; nothing registered counts as visible. */
  private readonly views = new Map<string, boolean>();
  private timer: TimerHandle | undefined;
  private disposed = false;
  private readonly changed = new Emitter<{ context: string; scope: MetricsScope }>();
  /** New numbers for a scope of a context. */
  readonly onDidChange: Event<{ context: string; scope: MetricsScope }> = this.changed.event;
  private readonly availabilityChanged = new Emitter<string>();
  /** A context's availability changed (found absent, failed, or present). */
  readonly onDidChangeAvailability: Event<string> = this.availabilityChanged.event;

  constructor(private readonly deps: MetricsDeps) {}

  private get clock(): Clock {
    return this.deps.clock ?? realClock;
  }

  get enabled(): boolean {
    return this.deps.refreshMs() > 0;
  }

  /** The requests sent to metrics.k8s.io for a context so far (tests count them). */
  requestCount(context: string): number {
    return this.contexts.get(context)?.requests ?? 0;
  }

  /**
   * What is known of the context, judged again when its session or discovery changed. Asks nothing: absence that
   * discovery shows is found here, without a request.
   */
  private state(context: string): ContextState | undefined {
    const session = this.deps.sessions.get(context);
    const connection = session.connectionState;
    const resources = connection.state === 'connected' ? connection.resources : undefined;
    let st = this.contexts.get(context);
    if (st && st.session === session && (resources === undefined || st.resources === resources)) return st;
    if (!resources) return st?.session === session ? st : undefined; // not connected (yet): nothing to judge
    const requests = st?.requests ?? 0;
    st = {
      session,
      resources,
      availability: metricsServed(resources)
        ? { state: 'unknown' }
        : { state: 'absent', message: notInstalledMessage(context) },
      data: new Map(),
      inFlight: new Map(),
      requests,
    };
    this.contexts.set(context, st);
    if (st.availability.state === 'absent') {
      this.deps.log.info('metrics', `${context}: no metrics.k8s.io in discovery; CPU/memory are not shown`);
      this.availabilityChanged.fire(context);
    }
    return st;
  }

  availability(context: string): Availability {
    if (!this.enabled) return { state: 'unknown' };
    return this.state(context)?.availability ?? { state: 'unknown' };
  }

  /** `holder` shows `scope` of `context`: read it now if nothing is known, and on every round while held. */
  hold(holder: string, context: string, scope: MetricsScope): void {
    if (!this.enabled || this.disposed) return;
    let held = this.holders.get(holder);
    if (!held) this.holders.set(holder, (held = []));
    const id = scopeId(scope);
    if (!held.some((h) => h.context === context && scopeId(h.scope) === id)) held.push({ context, scope });
    const st = this.state(context);
    if (st && this.mayRead(st) && !this.covered(st, scope) && this.visible) void this.refresh(context, scope);
    this.schedule();
  }

  /** What `holder` showed is not shown any more. */
  release(holder: string): void {
    this.holders.delete(holder);
    if (this.holders.size === 0) this.stopTimer();
  }

  /** Releases every holder the predicate picks (a collapsed node and the nodes under it). */
  releaseWhere(pick: (holder: string) => boolean): void {
    for (const holder of [...this.holders.keys()]) if (pick(holder)) this.holders.delete(holder);
    if (this.holders.size === 0) this.stopTimer();
  }

  private get visible(): boolean {
    if (this.views.size === 0) return true;
    for (const v of this.views.values()) if (v) return true;
    return false;
  }

  /** Whether a view that shows metrics (`view`: the tree, the Top documents) is visible: nothing is read while none is. */
  setVisible(view: string, visible: boolean): void {
    const before = this.visible;
    this.views.set(view, visible);
    if (this.visible === before) return;
    if (!this.visible) {
      this.stopTimer();
      return;
    }
    // Back in view: what went stale meanwhile is read now, then on the interval.
    this.round(true);
    this.schedule();
  }

  /** A pod's usage, from the freshest held scope that has it. */
  podUsage(context: string, namespace: string, name: string): PodUsage | undefined {
    const st = this.contexts.get(context);
    if (!st || st.availability.state !== 'present') return undefined;
    const key = `${namespace}/${name}`;
    const own = st.data.get(scopeId({ kind: 'pods', namespace }))?.pods?.get(key);
    const all = st.data.get(scopeId({ kind: 'pods' }));
    const fromAll = all?.pods?.get(key);
    if (own && fromAll) return (st.data.get(scopeId({ kind: 'pods', namespace }))?.at ?? 0) >= all!.at ? own : fromAll;
    return own ?? fromAll;
  }

  nodeUsage(context: string, name: string): NodeUsage | undefined {
    const st = this.contexts.get(context);
    if (!st || st.availability.state !== 'present') return undefined;
    return st.data.get('nodes')?.nodes?.get(name);
  }

  /** The last numbers read for a scope (undefined before the first answer). */
  snapshot(context: string, scope: MetricsScope): ScopeData | undefined {
    return this.contexts.get(context)?.data.get(scopeId(scope));
  }

  /**
   * Reads a scope now (the Top document, a refresh) and returns its numbers. Rejects with a message written for
   * users when the context has no metrics (found once; asking again sends nothing).
   */
  async read(context: string, scope: MetricsScope): Promise<ScopeData> {
    if (!this.enabled)
      throw new KubeError('config', 'Metrics are turned off (kubeWorkbench.metrics.refreshSeconds is 0)');
    const st = this.state(context);
    if (!st) throw new KubeError('unreachable', `${context} is not connected: connect it in the Clusters view first`);
    if (!this.mayRead(st)) throw new KubeError('notFound', this.reason(st));
    await this.refresh(context, scope);
    if (!this.mayRead(st)) throw new KubeError('notFound', this.reason(st));
    const data = st.data.get(scopeId(scope));
    if (!data) throw new KubeError('other', `Reading metrics on ${context} failed; see the log`);
    return data;
  }

  private reason(st: ContextState): string {
    return st.availability.state === 'absent' || st.availability.state === 'failed' ? st.availability.message : '';
  }

  private mayRead(st: ContextState): boolean {
    return st.availability.state === 'unknown' || st.availability.state === 'present';
  }

  /** Whether `scope`'s numbers are fresh enough, or already being read (an all-namespaces read covers a namespace). */
  private covered(st: ContextState, scope: MetricsScope): boolean {
    const fresh = (id: string): boolean => {
      const data = st.data.get(id);
      return st.inFlight.has(id) || (data !== undefined && this.clock.now() - data.at < this.deps.refreshMs());
    };
    if (fresh(scopeId(scope))) return true;
    return scope.kind === 'pods' && scope.namespace !== undefined && fresh(scopeId({ kind: 'pods' }));
  }

  /** Reads one scope (joining a read of it already under way). */
  private refresh(context: string, scope: MetricsScope): Promise<void> {
    const st = this.contexts.get(context);
    if (!st) return Promise.resolve();
    const id = scopeId(scope);
    const running = st.inFlight.get(id);
    if (running) return running;
    const p = this.fetch(context, st, scope).finally(() => st.inFlight.delete(id));
    st.inFlight.set(id, p);
    return p;
  }

  private async fetch(context: string, st: ContextState, scope: MetricsScope): Promise<void> {
    st.requests++;
    try {
      let data: ScopeData;
      if (scope.kind === 'nodes') {
        const nodes = await readNodeMetrics(st.session.client, context);
        data = { at: this.clock.now(), nodes: new Map(nodes.map((n) => [n.name, n])) };
      } else {
        const pods = await readPodMetrics(st.session.client, context, scope.namespace);
        data = { at: this.clock.now(), pods: new Map(pods.map((p) => [`${p.namespace}/${p.name}`, p])) };
      }
      if (this.disposed || this.contexts.get(context) !== st) return;
      st.data.set(scopeId(scope), data);
      if (st.availability.state !== 'present') {
        st.availability = { state: 'present' };
        this.availabilityChanged.fire(context);
      }
      this.changed.fire({ context, scope });
    } catch (err) {
      if (this.disposed || this.contexts.get(context) !== st) return;
      const error = toKubeError(err, `reading metrics on ${context}`);
      const judged = judge(context, error);
      if (!judged) {
        // Transient (unreachable, timeout, 5xx other than 503): the next round tries again.
        this.deps.log.warn('metrics', error.message);
        return;
      }
      st.availability = judged;
      st.data.clear();
      this.deps.log.info('metrics', `${judged.message} (${error.message}); metrics are not read again on ${context}`);
      this.availabilityChanged.fire(context);
    }
  }

  private schedule(): void {
    if (this.timer || !this.visible || this.disposed || this.holders.size === 0 || !this.enabled) return;
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      this.round(false);
      this.schedule();
    }, this.deps.refreshMs());
  }

  private stopTimer(): void {
    this.timer?.cancel();
    this.timer = undefined;
  }

  /**
   * One round: every held scope of every context that may be read, each once; a held all-namespaces pod scope
   * covers the namespaces' ones. `onlyStale`: skip what is fresh (coming back into view).
   */
  private round(onlyStale: boolean): void {
    const byContext = new Map<string, Map<string, MetricsScope>>();
    for (const held of this.holders.values()) {
      for (const { context, scope } of held) {
        let scopes = byContext.get(context);
        if (!scopes) byContext.set(context, (scopes = new Map<string, MetricsScope>()));
        scopes.set(scopeId(scope), scope);
      }
    }
    for (const [context, scopes] of byContext) {
      const st = this.state(context);
      if (!st || !this.mayRead(st)) continue;
      const all = scopes.has(scopeId({ kind: 'pods' }));
      for (const [id, scope] of scopes) {
        if (all && scope.kind === 'pods' && scope.namespace !== undefined) continue;
        if (onlyStale && this.covered(st, scope)) continue;
        if (st.inFlight.has(id)) continue;
        void this.refresh(context, scope);
      }
    }
  }

  dispose(): void {
    this.disposed = true;
    this.stopTimer();
    this.holders.clear();
    this.contexts.clear();
    this.changed.dispose();
    this.availabilityChanged.dispose();
  }
}

/** What an error says about the context's metrics: absent, failed for good, or nothing (try again). */
export function judge(
  context: string,
  error: KubeError,
): Extract<Availability, { state: 'absent' | 'failed' }> | undefined {
  if (error.status === 404 || error.kind === 'notFound')
    return { state: 'absent', message: notInstalledMessage(context) };
  if (error.status === 503)
    return {
      state: 'absent',
      message: `metrics-server is not available on ${context} (metrics.k8s.io answers 503 Service Unavailable): CPU/memory not shown`,
    };
  if (error.kind === 'forbidden' || error.kind === 'unauthorized' || error.kind === 'authPlugin')
    return { state: 'failed', message: `CPU/memory not shown on ${context}: ${error.message}` };
  return undefined;
}
