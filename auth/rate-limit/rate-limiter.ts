import type { Knex } from 'knex';
import { RateLimiterPostgres, RateLimiterRes } from 'rate-limiter-flexible';
import { RateLimitedError } from '../errors.js';
import { RATE_LIMIT_TABLE } from '../schema.js';
import { hashLimitKey, limitState, type LimitName, type LimitState, type RateLimit, type RateLimitReport } from './limit-state.js';

export type { RateLimit } from './limit-state.js';

/**
 * What the store may count to before the counter (an int4) would overflow.
 * The store never refuses below it: this class compares the count with the
 * key's own limit, so one store serves keys with different limits.
 */
const STORE_CEILING = 2_000_000_000;

export interface ConsumeOptions {
  /** Told where the key stands, refused or not (RateLimit-* headers). */
  report?: RateLimitReport | undefined;
  /** This key's own limit per window, instead of the limiter's (an API key's rateLimitPerMinute). */
  points?: number;
  /** What this attempt counts for (an ingest request: its events); 1 unless told. */
  cost?: number;
}

/**
 * A named limit whose counters live in PostgreSQL (rate-limiter-flexible's
 * store), so every API process counts against the same numbers. Counting is
 * one atomic upsert that answers the new count: of N concurrent attempts
 * exactly `points` are let through, whatever the interleaving, and the
 * attempt is reserved before the work it guards (never check, work, then
 * count). Keys are hashed: an email or an IP never becomes a row key in
 * clear, and no key outgrows the column. Expired rows are deleted by the
 * housekeeping sweep, not by a timer per limiter.
 */
export class PostgresRateLimiter {
  private readonly store: RateLimiterPostgres;

  constructor(knex: Knex, readonly id: LimitName, readonly limit: RateLimit) {
    this.store = new RateLimiterPostgres({
      storeClient: knex,
      storeType: 'knex',
      tableName: RATE_LIMIT_TABLE,
      tableCreated: true,
      clearExpiredByTimeout: false,
      keyPrefix: id.name,
      points: STORE_CEILING,
      duration: limit.windowSeconds,
    });
  }

  /**
   * Counts one attempt and answers where the key stands; throws
   * RateLimitedError (Retry-After, which limit, its variable) when the
   * attempt is over the limit. The attempt that first passes it starts the
   * block (blockSeconds), which later attempts do not extend.
   */
  async consume(key: string, options: ConsumeOptions = {}): Promise<LimitState> {
    const points = options.points ?? this.limit.points;
    const cost = options.cost ?? 1;
    const hashed = hashLimitKey(key);
    const counted = await this.count(hashed, cost);
    let msBeforeReset = counted.msBeforeNext;
    const blockSeconds = this.limit.blockSeconds ?? 0;
    const firstOver = counted.consumedPoints > points && counted.consumedPoints - cost <= points;
    if (firstOver && blockSeconds > 0) {
      await this.store.set(hashed, points + 1, blockSeconds);
      msBeforeReset = blockSeconds * 1000;
    }
    const state = limitState(this.id, this.limit.windowSeconds, points, counted.consumedPoints, msBeforeReset);
    options.report?.report(state);
    if (counted.consumedPoints > points) throw new RateLimitedError(state);
    return state;
  }

  /** Forgets the key's attempts, e.g. an account's after a successful login. */
  async reset(key: string, report?: RateLimitReport): Promise<void> {
    await this.store.delete(hashLimitKey(key));
    report?.report(limitState(this.id, this.limit.windowSeconds, this.limit.points, 0, this.limit.windowSeconds * 1000));
  }

  private async count(hashed: string, cost: number): Promise<RateLimiterRes> {
    try {
      return await this.store.consume(hashed, cost);
    } catch (rejection) {
      // Past the store's ceiling: far over any limit, and still counted.
      if (rejection instanceof RateLimiterRes) return rejection;
      throw rejection;
    }
  }
}
