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
