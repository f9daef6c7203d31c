import type { RequestOptions } from './clusterClient';

/**
 * What the code above `core/kube` needs of a cluster connection: JSON requests (any method) and streaming GETs.
 * ClusterClient is the implementation, with the context's credentials and the production guard; tests give
 * scripted servers for protocol faults.
 */
export interface Transport {
  getJson<T>(path: string, options?: RequestOptions, what?: string): Promise<T>;
  /** A list page, its items handed to `onItem` one by one as they arrive; returns the rest (`items: []`). */
  getList<T>(path: string, options: RequestOptions, onItem: (item: unknown) => void, what?: string): Promise<T>;
  stream(
    path: string,
    options: RequestOptions & { idleTimeoutMs?: number },
    onChunk: (chunk: Buffer) => void,
    what?: string,
  ): Promise<void>;
}

/** For code that only sends JSON requests (reads, saves, patches). */
export type JsonTransport = Pick<Transport, 'getJson'>;
