export interface BackoffOptions {
  /** The ceiling of the first wait (ms). Default 250. */
  initialMs?: number;
  /** The largest ceiling (ms). Default 30,000. */
  maxMs?: number;
}

/**
 * Exponential backoff with full jitter: the n-th wait is a uniformly random
 * time up to min(max, initial × 2^n), so clients cut off together (a
 * process going away) do not come back together.
 */
export class Backoff {
  private failures = 0;
  private readonly initialMs: number;
  private readonly maxMs: number;

  constructor(
    options: BackoffOptions = {},
    private readonly random: () => number = Math.random,
  ) {
    this.initialMs = options.initialMs ?? 250;
    this.maxMs = options.maxMs ?? 30_000;
  }

  /** The wait before the next attempt; each call counts one more failure. */
  next(): number {
    const ceiling = Math.min(this.maxMs, this.initialMs * 2 ** Math.min(this.failures, 30));
    this.failures++;
    return Math.round(this.random() * ceiling);
  }

  /** A connection proved healthy: the next failure waits little again. */
  reset(): void {
    this.failures = 0;
  }
}
