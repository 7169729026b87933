import type { Knex } from 'knex';
import type { RateLimitReport } from '../../auth/rate-limit/limit-state.js';
import { PostgresRateLimiter, type RateLimit } from '../../auth/rate-limit/rate-limiter.js';

/** Events per API key (or signed-in user) per window, counted across every API process. */
export class IngestRateLimit {
  private readonly limiter: PostgresRateLimiter;

  constructor(knex: Knex, limit: RateLimit) {
    this.limiter = new PostgresRateLimiter(knex, { name: 'analytics_events_per_key', variable: 'ANALYTICS_RATE_LIMIT_EVENTS_PER_KEY' }, limit);
  }

  /** Counts the request's events before they are ingested; over the limit, RateLimitedError (429, Retry-After). */
  async beforeIngest(sender: string, events: number, report: RateLimitReport): Promise<void> {
    if (events === 0) return;
    await this.limiter.consume(sender, { cost: events, report });
  }
}
