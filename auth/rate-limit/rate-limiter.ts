import { createHash } from 'node:crypto';
import type { Knex } from 'knex';
import { RateLimiterPostgres, RateLimiterRes } from 'rate-limiter-flexible';
import { RateLimitedError } from '../errors.js';
import { RATE_LIMIT_TABLE } from '../schema.js';

export interface RateLimit {
  /** Attempts allowed per window. */
  points: number;
  windowSeconds: number;
  /** Once exceeded, refuse for this long (0: until the window ends). */
  blockSeconds?: number;
}

/**
 * A named limit whose counters live in PostgreSQL (rate-limiter-flexible's
 * knex store), so every API process counts against the same numbers. Keys
 * are hashed: an email or an IP never becomes a row key in clear, and no key
 * outgrows the column.
 */
export class PostgresRateLimiter {
  private readonly limiter: RateLimiterPostgres;

  constructor(knex: Knex, readonly name: string, readonly limit: RateLimit) {
    this.limiter = new RateLimiterPostgres({
      storeClient: knex,
      storeType: 'knex',
      tableName: RATE_LIMIT_TABLE,
      tableCreated: true,
      keyPrefix: name,
      points: limit.points,
      duration: limit.windowSeconds,
      blockDuration: limit.blockSeconds ?? 0,
    });
  }

  /** Counts one attempt; throws RateLimitedError (with Retry-After seconds) when over the limit. */
  async consume(key: string, points = 1): Promise<void> {
    try {
      await this.limiter.consume(hashKey(key), points);
    } catch (rejection) {
      if (rejection instanceof RateLimiterRes) throw new RateLimitedError(Math.max(1, Math.ceil(rejection.msBeforeNext / 1000)));
      throw rejection;
    }
  }

  /**
   * Counts a failure without refusing it; the failure that reaches the limit
   * blocks the key for blockSeconds (when set). `check` refuses the next
   * attempt before anything else counts, so without this block the lockout
   * would last to the end of the window and blockSeconds would never apply.
   */
  async countFailure(key: string): Promise<void> {
    const hashed = hashKey(key);
    try {
      const counted = await this.limiter.consume(hashed);
      const blockSeconds = this.limit.blockSeconds ?? 0;
      if (counted.consumedPoints >= this.limit.points && blockSeconds > 0) await this.limiter.block(hashed, blockSeconds);
    } catch (rejection) {
      if (!(rejection instanceof RateLimiterRes)) throw rejection;
    }
  }

  /** Throws RateLimitedError if the key is already over the limit, without counting an attempt. */
  async check(key: string): Promise<void> {
    const state = await this.limiter.get(hashKey(key));
    if (state && state.consumedPoints >= this.limit.points && state.msBeforeNext > 0) {
      throw new RateLimitedError(Math.max(1, Math.ceil(state.msBeforeNext / 1000)));
    }
  }

  /** Forgets the key's attempts, e.g. an account's failures after a successful login. */
  async reset(key: string): Promise<void> {
    await this.limiter.delete(hashKey(key));
  }
}

function hashKey(key: string): string {
  return createHash('sha256').update(key).digest('base64url');
}
