import { ClusterBackoff } from '../common/backoff';
import { realClock, type Clock, type TimerHandle } from '../common/clock';
import { DisposableStore, type Disposable } from '../common/disposable';
import { Emitter, type Event } from '../common/event';
import type { Logger } from '../common/logger';
import type { RequestGate } from '../kube/changeGuard';
import { ClusterClient } from '../kube/clusterClient';
import { toKubeError, type KubeError } from '../kube/errors';
import type { MergedKubeconfig } from '../kube/kubeconfig';
import { discoverResources, type ApiResource } from '../kube/discovery';
import { AccessReviewer } from '../kube/accessReview';
import { collectionPath, keyId, type ResourceKey } from '../resources/objectRef';
import { toRow, type ResourceRow, type Row } from '../resources/rows';
import type { KubeObject } from '../resources/kubeObject';
import { WatchedList, type ListSnapshot } from './watchedList';

export type ConnectionState =
  | { state: 'unknown' }
  | { state: 'connecting' }
  | { state: 'connected'; version: string; resources: readonly ApiResource[] }
  | { state: 'failed'; error: KubeError };

interface VersionInfo {
  gitVersion?: string;
}

export interface SessionDeps {
  log: Logger;
  /** The production guard: every request and acting connection of the session's client passes it. */
  gate: RequestGate;
  clock?: Clock;
}

/**
 * Everything opened for one kubeconfig context: its client, its watched lists, its connection state.
 * Disposing the session closes all of it (k9s's Factory.Terminate).
 */
export class ClusterSession implements Disposable {
  private readonly store = new DisposableStore();
  /** Lists by keyId; rows are ResourceRows except for lists opened by projectedList() with their own rows. */
  private readonly lists = new Map<string, WatchedList<Row>>();
  private readonly releaseTimers = new Map<string, TimerHandle>();
  /** Who shows each list (tree node ids); see list(). */
  private readonly holders = new Map<string, Set<string>>();
  private connection: ConnectionState = { state: 'unknown' };
  private clientInstance: ClusterClient | undefined;
  private readonly listChanged = this.store.add(new Emitter<ResourceKey>());
  readonly onDidChangeList: Event<ResourceKey> = this.listChanged.event;
  private readonly connectionChanged = this.store.add(new Emitter<ConnectionState>());
  readonly onDidChangeConnection: Event<ConnectionState> = this.connectionChanged.event;

  constructor(
    readonly context: string,
    private readonly kubeconfig: MergedKubeconfig,
    private readonly deps: SessionDeps,
  ) {
    this.retry = new ClusterBackoff(() => (deps.clock ?? realClock).now());
  }

  /** Every list of this cluster backs off together: one unreachable cluster, one retry schedule. */
  private readonly retry: ClusterBackoff;

  get client(): ClusterClient {
    this.clientInstance ??= new ClusterClient(
      this.context,
      this.kubeconfig.kubeConfigFor(this.context),
      this.deps.gate,
    );
    return this.clientInstance;
  }

  private accessInstance: AccessReviewer | undefined;

  /** What the user may do on this cluster (cached SelfSubjectAccessReviews). */
  get access(): AccessReviewer {
    if (!this.accessInstance) {
      this.accessInstance = new AccessReviewer(this.client, this.context, this.deps.log);
      this.store.add(this.accessInstance.onDidAnswer(() => this.accessChanged.fire()));
    }
    return this.accessInstance;
  }

  private readonly accessChanged = this.store.add(new Emitter<void>());
  readonly onDidChangeAccess: Event<void> = this.accessChanged.event;

  get connectionState(): ConnectionState {
    return this.connection;
  }

  /** Starts a `/version` probe unless one ran or runs; the result arrives through onDidChangeConnection. */
  connect(): void {
    if (this.connection.state !== 'unknown') return;
    this.setConnection({ state: 'connecting' });
    void this.probe();
  }

  /** Probes again (after the user fixed something). */
  reconnect(): void {
    this.connection = { state: 'unknown' };
    for (const list of this.lists.values()) list.dispose();
    this.lists.clear();
    this.connect();
  }

  private async probe(): Promise<void> {
    const what = `connecting to ${this.context}`;
    try {
      const [info, resources] = await Promise.all([
        this.client.getJson<VersionInfo>('/version', { timeoutMs: 10_000 }, what),
        discoverResources(this.client),
      ]);
      if (this.store.isDisposed) return;
      this.setConnection({ state: 'connected', version: info.gitVersion ?? 'unknown version', resources });
    } catch (err) {
      if (this.store.isDisposed) return;
      const error = toKubeError(err, what);
      this.deps.log.warn('session', error.message, error.cause);
      this.setConnection({ state: 'failed', error });
    }
  }

  private setConnection(state: ConnectionState): void {
    this.connection = state;
    this.connectionChanged.fire(state);
  }

  /**
   * Idempotent: starts the watch on first use and returns what is known now, synchronously. Using a list
   * cancels a pending release of it. `holder` (a tree node's id) keeps it watched until that holder releases it:
   * the Pods of a namespace are shown by its Pods folder and by every expanded Deployment or Service in it, and
   * collapsing one of them must not stop what the others show.
   */
  list(key: ResourceKey, holder?: string): ListSnapshot<ResourceRow> {
    return this.projectedList(key, (obj) => toRow(key.kind, obj), holder);
  }

  /**
   * A list whose objects are projected to rows of the caller's own model (Helm's release records), held and
   * released like list(). A key is one list: its rows are whatever the first caller's projection made them, so a
   * key (with its label selector) must belong to one projection.
   */
  projectedList<R extends Row>(
    key: ResourceKey,
    project: (obj: KubeObject) => R | undefined,
    holder?: string,
  ): ListSnapshot<R> {
    const id = keyId(key);
    if (holder) {
      let holders = this.holders.get(id);
      if (!holders) this.holders.set(id, (holders = new Set()));
      holders.add(holder);
    }
    this.releaseTimers.get(id)?.cancel();
    this.releaseTimers.delete(id);
    let list = this.lists.get(id);
    if (!list) {
      const scope = key.namespace ? `in ${key.namespace}` : key.namespaced ? 'in all namespaces' : '';
      const selector = key.labelSelector ? `(${key.labelSelector})` : '';
      list = new WatchedList<Row>(
        this.client,
        collectionPath(key),
        project,
        [key.plural, selector, scope, `on ${this.context}`].filter(Boolean).join(' '),
        { log: this.deps.log, clock: this.deps.clock, retry: this.retry, labelSelector: key.labelSelector },
      );
      this.lists.set(id, list);
      const watched = list;
      list.onDidChange(() => {
        this.noteCredentialFailure(watched.snapshot());
        this.listChanged.fire(key);
      });
      list.start();
    }
    return list.snapshot() as ListSnapshot<R>;
  }

  /**
   * Credentials that stop working (a token the plugin can no longer refresh, a 401) fail the whole context, not
   * one folder: the context node says "auth failed" with the reason until the user reconnects.
   */
  private noteCredentialFailure(snap: ListSnapshot<Row>): void {
    if (snap.state !== 'failed' || !snap.error || this.connection.state === 'failed') return;
    if (snap.error.kind !== 'unauthorized' && snap.error.kind !== 'authPlugin') return;
    this.deps.log.warn('session', `${this.context}: ${snap.error.message}`);
    this.setConnection({ state: 'failed', error: snap.error });
  }

  /** How often a list was listed and watched (for tests and diagnostics); undefined when nothing watches it. */
  listStats(key: ResourceKey): Readonly<WatchedList<Row>['stats']> | undefined {
    const stats = this.lists.get(keyId(key))?.stats;
    return stats && { ...stats };
  }

  /** What is known of a list without starting it: undefined when nothing watches it. */
  peek(key: ResourceKey): ListSnapshot<ResourceRow> | undefined {
    return this.lists.get(keyId(key))?.snapshot() as ListSnapshot<ResourceRow> | undefined;
  }

  /** Whether a list is being watched now (for tests and diagnostics). */
  isWatching(key: ResourceKey): boolean {
    return this.lists.has(keyId(key));
  }

  /**
   * Nothing shows this list any more: stop its watch after a grace period, so collapsing and expanding a
   * folder again does not relist, while folders nobody looks at stop costing the cluster anything.
   */
  release(key: ResourceKey, holder?: string, graceMs = 60_000): void {
    const id = keyId(key);
    const holders = this.holders.get(id);
    if (holder) {
      // A holder this session does not know (it was made again after a kubeconfig change) releases nothing.
      if (!holders?.delete(holder)) return;
      if (holders.size > 0) return;
      this.holders.delete(id);
    }
    if (!this.lists.has(id) || this.releaseTimers.has(id)) return;
    const clock = this.deps.clock ?? realClock;
    this.releaseTimers.set(
      id,
      clock.setTimeout(() => {
        this.releaseTimers.delete(id);
        if (this.holders.get(id)?.size) return; // held again meanwhile
        this.lists.get(id)?.dispose();
        this.lists.delete(id);
        this.deps.log.debug('session', `stopped watching ${id} on ${this.context}: not shown for ${graceMs} ms`);
      }, graceMs),
    );
  }

  dispose(): void {
    for (const timer of this.releaseTimers.values()) timer.cancel();
    this.releaseTimers.clear();
    for (const list of this.lists.values()) list.dispose();
    this.lists.clear();
    this.clientInstance?.dispose();
    this.accessInstance?.dispose();
    this.store.dispose();
  }
}

/** One session per context, created on demand; all of them replaced when the kubeconfig changes. */
export class SessionRegistry implements Disposable {
  private readonly sessions = new Map<string, ClusterSession>();
  private readonly store = new DisposableStore();
  private readonly listChanged = this.store.add(new Emitter<{ context: string; key: ResourceKey }>());
  readonly onDidChangeList = this.listChanged.event;
  private readonly connectionChanged = this.store.add(new Emitter<string>());
  readonly onDidChangeConnection = this.connectionChanged.event;
  private readonly accessChanged = this.store.add(new Emitter<string>());
  readonly onDidChangeAccess = this.accessChanged.event;

  constructor(
    private readonly kubeconfig: () => MergedKubeconfig,
    private readonly deps: SessionDeps,
  ) {}

  get(context: string): ClusterSession {
    let session = this.sessions.get(context);
    if (!session) {
      const created = new ClusterSession(context, this.kubeconfig(), this.deps);
      created.onDidChangeList((key) => this.listChanged.fire({ context, key }));
      created.onDidChangeConnection(() => this.connectionChanged.fire(context));
      created.onDidChangeAccess(() => this.accessChanged.fire(context));
      this.sessions.set(context, created);
      session = created;
    }
    return session;
  }

  /** The session of `context` if one was opened, without opening one (asking creates no client, contacts nothing). */
  peek(context: string): ClusterSession | undefined {
    return this.sessions.get(context);
  }

  /** Closes every session: their watches, streams and sockets. Called when the kubeconfig changes. */
  reset(): void {
    for (const session of this.sessions.values()) session.dispose();
    this.sessions.clear();
  }

  dispose(): void {
    this.reset();
    this.store.dispose();
  }
}
