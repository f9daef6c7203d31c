import { StringDecoder } from 'node:string_decoder';
import { ownBackoff, type BackoffOptions, type RetryPolicy } from '../common/backoff';
import { realClock, type Clock, type TimerHandle } from '../common/clock';
import type { Disposable } from '../common/disposable';
import { Emitter, type Event } from '../common/event';
import type { Logger } from '../common/logger';
import { KubeError, toKubeError, type KubeErrorKind } from '../kube/errors';
import type { Transport } from '../kube/transport';
import type { KubeObject } from '../resources/kubeObject';
import type { Row } from '../resources/rows';

/** The longest watch event line read (characters); objects are at most 1.5 MB in etcd. */
export const MAX_WATCH_EVENT_CHARS = 16 * 2 ** 20;

export type ListState = 'idle' | 'syncing' | 'ready' | 'retrying' | 'failed';

export interface ListSnapshot<R> {
  readonly state: ListState;
  /** Sorted by namespace then name. Kept while retrying, so the tree does not flicker to empty. */
  readonly items: readonly R[];
  readonly error?: KubeError;
}

/** A list page without its items (they are handed out one by one, see Transport.getList). */
interface ListResponse {
  metadata?: { resourceVersion?: string; continue?: string };
}

interface WatchEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  object: KubeObject & { code?: number; message?: string };
}

export interface WatchedListOptions {
  clock?: Clock;
  log: Logger;
  pageSize?: number;
  /** The list's own backoff, when no `retry` is given. */
  backoff?: BackoffOptions;
  /** Shared with the other lists of the same cluster (ClusterBackoff), so they back off together. */
  retry?: RetryPolicy;
  /** A watch connection with no bytes (not even a bookmark) for this long is treated as dead and resumed. */
  idleTimeoutMs?: number;
  labelSelector?: string;
  fieldSelector?: string;
  /**
   * What the caller has already read (a GET of one object, or a list): the watch starts from its
   * resourceVersion instead of listing again. A 410 on that watch still relists once.
   */
  initial?: { items: readonly KubeObject[]; resourceVersion: string };
}

/** Failures a retry cannot fix; the user must act (log in, get permissions, the resource type is gone). */
const FINAL: readonly KubeErrorKind[] = ['unauthorized', 'forbidden', 'notFound', 'config', 'authPlugin', 'invalid'];

/**
 * A list of one resource type in one scope, kept current by a watch: the model behind the tree.
 * - initial list in pages (`limit`/`continue`), then a watch from the list's resourceVersion with bookmarks;
 * - a dropped or silent connection resumes from the last resourceVersion seen (no relist);
 * - 410 Gone relists once; transient failures retry with exponential backoff and jitter, 429 after Retry-After;
 * - 401/403/404 are final and shown; resourceVersions are opaque strings, never compared.
 * Objects are projected to small rows as they arrive; full objects are not kept.
 */
export class WatchedList<R extends Row> implements Disposable {
  private readonly rows = new Map<string, R>();
  /** The last snapshot's rows in order; never changed once handed out (consumers may hold it). */
  private sorted: R[] | undefined = [];
  /**
   * Rows changed since that snapshot without moving (same namespace and name): the next snapshot copies the array
   * and swaps them in by binary search instead of sorting everything again. A busy 20,000-pod folder changes this
   * way hundreds of times a second; re-sorting it on every refresh cost more than all the events together.
   */
  private readonly replaced = new Map<string, R>();
  private state: ListState = 'idle';
  private error: KubeError | undefined;
  private resourceVersion: string | undefined;
  private abort: AbortController | undefined;
  private retryTimer: TimerHandle | undefined;
  private disposed = false;
  private readonly retry: RetryPolicy;
  private readonly clock: Clock;
  private readonly changed = new Emitter<void>();
  readonly onDidChange: Event<void> = this.changed.event;
  /** Counters, for tests and diagnostics: how often we listed from scratch and opened a watch. */
  readonly stats: {
    lists: number;
    pages: number;
    watches: number;
    events: number;
    firstPageAt?: number;
    firstRowsAt?: number;
  } = { lists: 0, pages: 0, watches: 0, events: 0 };

  constructor(
    private readonly transport: Transport,
    /** API path of the collection, e.g. `/api/v1/namespaces/default/pods` or `/apis/apps/v1/deployments`. */
    private readonly path: string,
    private readonly project: (obj: KubeObject) => R | undefined,
    /** For messages: "pods in default on kwb-admin". */
    private readonly description: string,
    private readonly options: WatchedListOptions,
  ) {
    this.clock = options.clock ?? realClock;
    this.retry = options.retry ?? ownBackoff(options.backoff);
    if (options.initial) {
      for (const obj of options.initial.items) {
        const row = this.project(obj);
        if (row) this.rows.set(row.uid, row);
      }
      this.sorted = undefined;
      this.resourceVersion = options.initial.resourceVersion;
    }
  }

  /** Idempotent: the first call starts listing; later calls do nothing. */
  start(): void {
    if (this.state !== 'idle' || this.disposed) return;
    this.setState('syncing');
    void this.run();
  }

  snapshot(): ListSnapshot<R> {
    if (!this.sorted) {
      this.sorted = [...this.rows.values()].sort(compareRows);
    } else if (this.replaced.size > 0) {
      const next = this.sorted.slice();
      for (const row of this.replaced.values()) {
        const at = indexOfRow(next, row);
        if (at >= 0) next[at] = row;
      }
      this.sorted = next;
    }
    this.replaced.clear();
    return { state: this.state, items: this.sorted, error: this.error };
  }

  get size(): number {
    return this.rows.size;
  }

  get(uid: string): R | undefined {
    return this.rows.get(uid);
  }

  private async run(): Promise<void> {
    while (!this.disposed) {
      try {
        if (this.resourceVersion === undefined) await this.listAll();
        this.error = undefined;
        this.retry.succeeded();
        this.setState('ready');
        await this.watchOnce();
        // The server closed the watch normally (its timeout): resume from where we are.
      } catch (err) {
        if (this.disposed) return;
        const error = toKubeError(err, `watching ${this.description}`);
        if (error.kind === 'cancelled') return;
        if (error.kind === 'gone') {
          this.options.log.info('watch', `${this.description}: resourceVersion too old (410); listing again`);
          this.resourceVersion = undefined;
          continue;
        }
        this.error = error;
        if (FINAL.includes(error.kind)) {
          this.options.log.warn('watch', error.message);
          this.setState('failed');
          return;
        }
        const delay = error.retryAfterSeconds !== undefined ? error.retryAfterSeconds * 1000 : this.retry.failed();
        this.options.log.info('watch', `${error.message}; retrying in ${delay} ms`);
        this.setState('retrying');
        await new Promise<void>((resolve) => {
          this.retryTimer = this.clock.setTimeout(resolve, delay);
        });
        this.retryTimer = undefined;
      }
    }
  }

  private query(): Record<string, string | number | undefined> {
    return { labelSelector: this.options.labelSelector, fieldSelector: this.options.fieldSelector };
  }

  private async listAll(): Promise<void> {
    this.stats.lists++;
    // The first list shows each page as it arrives (first rows fast on big clusters); a relist keeps the old
    // rows until the new list is complete, so the tree does not flicker to empty and back.
    const progressive = this.rows.size === 0;
    const fresh = progressive ? this.rows : new Map<string, R>();
    let continueToken: string | undefined;
    let resourceVersion: string | undefined;
    do {
      this.abort = new AbortController();
      // Each object is projected as soon as it has arrived and then dropped: neither the page's text nor its
      // parsed objects are kept while the rest of the page arrives. A page counts only once it is complete.
      const pageRows: R[] = [];
      const page = await this.transport.getList<ListResponse>(
        this.path,
        {
          query: { ...this.query(), limit: this.options.pageSize ?? 500, continue: continueToken },
          signal: this.abort.signal,
          timeoutMs: 60_000,
        },
        (obj) => {
          const row = this.project(obj as KubeObject);
          if (row) pageRows.push(row);
        },
        `listing ${this.description}`,
      );
      this.stats.pages++;
      this.stats.firstPageAt ??= Date.now();
      for (const row of pageRows) fresh.set(row.uid, row);
      if (progressive) {
        this.invalidateOrder();
        this.stats.firstRowsAt ??= Date.now();
        this.changed.fire();
      }
      continueToken = page.metadata?.continue || undefined;
      resourceVersion = page.metadata?.resourceVersion;
    } while (continueToken && !this.disposed);
    if (!progressive) {
      this.rows.clear();
      for (const [uid, row] of fresh) this.rows.set(uid, row);
    }
    this.invalidateOrder();
    this.resourceVersion = resourceVersion;
    this.changed.fire();
  }

  private async watchOnce(): Promise<void> {
    this.stats.watches++;
    this.abort = new AbortController();
    let pending = '';
    // A chunk can end inside a multi-byte character (a label or annotation in any script): decode across chunks.
    const decoder = new StringDecoder('utf8');
    let watchError: KubeError | undefined;
    const abort = this.abort;
    const onChunk = (chunk: Buffer): void => {
      // Only the new text can hold the next line break: a large event arriving in many chunks is scanned once,
      // not once per chunk.
      const scanFrom = pending.length;
      pending += decoder.write(chunk);
      if (pending.length > MAX_WATCH_EVENT_CHARS && pending.indexOf('\n', scanFrom) < 0) {
        // No object is this large (etcd stores at most 1.5 MB): a broken or hostile server. Stop reading it.
        watchError = new KubeError(
          'server',
          `Watching ${this.description}: the server sent an event larger than ${MAX_WATCH_EVENT_CHARS / 2 ** 20} MiB; the watch was closed`,
        );
        pending = '';
        abort.abort();
        return;
      }
      let changed = false;
      // One cut of the remainder per chunk, not one per event: a replayed backlog arrives as 64 KB chunks of dozens
      // of events.
      let start = 0;
      for (let newline = pending.indexOf('\n', scanFrom); newline >= 0; newline = pending.indexOf('\n', start)) {
        const line = pending.slice(start, newline);
        start = newline + 1;
        if (line.trim().length === 0) continue;
        let event: WatchEvent;
        try {
          event = JSON.parse(line) as WatchEvent;
        } catch {
          this.options.log.warn('watch', `${this.description}: skipped a watch event that is not JSON`);
          continue;
        }
        if (event.type === 'ERROR') {
          watchError = toKubeError(event.object, `watching ${this.description}`);
          abort.abort();
          return;
        }
        changed = this.apply(event) || changed;
      }
      pending = pending.slice(start);
      if (changed) {
        this.changed.fire();
      }
    };
    try {
      await this.transport.stream(
        this.path,
        {
          query: {
            ...this.query(),
            watch: 1,
            resourceVersion: this.resourceVersion,
            allowWatchBookmarks: true,
            // Spread reconnects of many lists over time, as client-go does.
            timeoutSeconds: 300 + Math.floor(Math.random() * 300),
          },
          signal: abort.signal,
          idleTimeoutMs: this.options.idleTimeoutMs ?? 150_000,
        },
        onChunk,
        `watching ${this.description}`,
      );
    } catch (err) {
      if (watchError) throw watchError;
      throw err;
    }
    if (watchError) throw watchError;
  }

  /** @returns whether the visible rows changed. */
  private apply(event: WatchEvent): boolean {
    this.stats.events++;
    const rv = event.object.metadata?.resourceVersion;
    if (rv) this.resourceVersion = rv;
    if (event.type === 'BOOKMARK') return false;
    const uid = event.object.metadata?.uid;
    if (!uid) return false;
    const row = event.type === 'DELETED' ? undefined : this.project(event.object);
    if (!row) {
      if (!this.rows.delete(uid)) return false;
      this.invalidateOrder();
      return true;
    }
    const old = this.rows.get(uid);
    this.rows.set(uid, row);
    if (!old || compareRows(old, row) !== 0) this.invalidateOrder();
    else if (this.sorted) this.replaced.set(uid, row);
    return true;
  }

  private invalidateOrder(): void {
    this.sorted = undefined;
    this.replaced.clear();
  }

  private setState(state: ListState): void {
    if (this.state === state) return;
    this.state = state;
    this.changed.fire();
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.abort?.abort();
    this.retryTimer?.cancel();
    this.changed.dispose();
  }
}

/**
 * Namespace, then name, in code-unit order: the API server's own order (names are lowercase DNS labels, so this is
 * also alphabetical), and several times cheaper than localeCompare on 20,000 rows.
 */
function compareRows(a: Row, b: Row): number {
  const an = a.namespace ?? '';
  const bn = b.namespace ?? '';
  if (an !== bn) return an < bn ? -1 : 1;
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

function indexOfRow(sorted: readonly Row[], row: Row): number {
  let lo = 0;
  let hi = sorted.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const order = compareRows(sorted[mid]!, row);
    if (order === 0) return mid;
    if (order < 0) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

export function isKubeError(err: unknown): err is KubeError {
  return err instanceof KubeError;
}
