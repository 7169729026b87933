import type { Knex } from 'knex';
import type { RateLimitReport } from '../../auth/rate-limit/limit-state.js';
import { ProcessCountedRateLimiter, type ProcessCountedLimit } from '../../auth/rate-limit/process-counted-limiter.js';

/**
 * Events per API key (or signed-in user) per window, counted in this process
 * and added to PostgreSQL in the background, so every API process counts
 * against the same numbers without a request of a key waiting for another's
 * row lock (ProcessCountedRateLimiter says how far processes may overshoot).
 */
export class IngestRateLimit {
  private readonly limiter: ProcessCountedRateLimiter;

  constructor(knex: Knex, limit: ProcessCountedLimit) {
    this.limiter = new ProcessCountedRateLimiter(knex, { name: 'analytics_events_per_key', variable: 'ANALYTICS_RATE_LIMIT_EVENTS_PER_KEY' }, limit);
  }

  /** Counts the request's events before they are ingested; over the limit, RateLimitedError (429, Retry-After). */
  async beforeIngest(sender: string, events: number, report: RateLimitReport): Promise<void> {
    if (events === 0) return;
    await this.limiter.consume(sender, { cost: events, report });
  }

  /** At shutdown: adds the counts not yet in PostgreSQL. */
  close(): Promise<void> {
    return this.limiter.close();
  }
}
