export interface BackoffOptions {
  initialMs: number;
  maxMs: number;
  factor: number;
  /** 0..1: the share of each delay that is randomised, so many clients do not retry in step. */
  jitter: number;
  random?: () => number;
}

export const defaultBackoff: BackoffOptions = { initialMs: 1_000, maxMs: 30_000, factor: 2, jitter: 0.2 };

/** Exponential backoff with jitter; `reset()` after a success. */
export class Backoff {
  private attempt = 0;
  constructor(private readonly options: BackoffOptions = defaultBackoff) {}

  next(): number {
    const { initialMs, maxMs, factor, jitter } = this.options;
    const random = this.options.random ?? Math.random;
    const base = Math.min(maxMs, initialMs * factor ** this.attempt);
    this.attempt++;
    const spread = base * jitter;
    return Math.max(0, Math.round(base - spread + random() * 2 * spread));
  }

  get attempts(): number {
    return this.attempt;
  }

  reset(): void {
    this.attempt = 0;
  }
}

/** What a retrying loop asks after each failure and tells after a success. */
export interface RetryPolicy {
  /** @returns ms to wait before the next attempt. */
  failed(): number;
  succeeded(): void;
}

/** One loop's own backoff as a RetryPolicy. */
export function ownBackoff(options: BackoffOptions = defaultBackoff): RetryPolicy {
  const backoff = new Backoff(options);
  return { failed: () => backoff.next(), succeeded: () => backoff.reset() };
}

/**
 * One backoff for everything that talks to one cluster. When a cluster goes away, its twenty open folders fail
 * together: with a backoff each, every one of them would retry on its own schedule, and a cluster coming back under
 * load would see a burst per round. Here the first failure of a round sets the round's retry time and the others
 * that fail before it wait for the same time (plus a small spread); only a failure after that time starts the next,
 * longer round. Any success, from any of them, starts over.
 */
export class ClusterBackoff implements RetryPolicy {
  private readonly backoff: Backoff;
  private retryAt = 0;

  constructor(
    private readonly now: () => number,
    private readonly options: BackoffOptions = defaultBackoff,
  ) {
    this.backoff = new Backoff(options);
  }

  failed(): number {
    const now = this.now();
    if (now >= this.retryAt) this.retryAt = now + this.backoff.next();
    const random = this.options.random ?? Math.random;
    // Those waiting for the same round do not all reconnect in the same millisecond.
    const spread = Math.round(random() * Math.min(250, this.options.initialMs * this.options.jitter));
    return this.retryAt - now + spread;
  }

  succeeded(): void {
    this.backoff.reset();
    this.retryAt = 0;
  }

  /** Rounds of failures since the last success. */
  get rounds(): number {
    return this.backoff.attempts;
  }
}
