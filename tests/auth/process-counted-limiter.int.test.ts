import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Knex } from 'knex';
import type { Principal } from '../../auth/principal.js';
import { RateLimitedError } from '../../auth/errors.js';
import { ProcessCountedRateLimiter } from '../../auth/rate-limit/process-counted-limiter.js';
import { RATE_LIMIT_TABLE } from '../../auth/schema.js';
import { createKnex } from '../../infra/postgres/knex.js';
import { TcpProxy } from '../support/tcp-proxy.js';
import { createIdentityHarness, GOOD_PASSWORD, request, uniqueEmail, type IdentityHarness } from '../support/identity-harness.js';

/** Long enough that nothing is flushed unless the test says so. */
const NEVER = 3_600_000;
const NAME = { name: 'counted_test', variable: 'COUNTED_TEST' };

describe('rate limits counted in the process, added to PostgreSQL in the background', () => {
  let h: IdentityHarness;
  let admin: Principal;

  beforeAll(async () => {
    h = await createIdentityHarness();
    const signup = await h.identity.signup({ email: uniqueEmail('counted'), password: GOOD_PASSWORD }, request());
    admin = (await h.identity.authenticate(signup.accessToken)).principal;
  });
  afterAll(async () => h.dispose());

  it("a write key's request does not wait for its counter's row lock, held by another transaction", async () => {
    const issued = await h.identity.issueApiKey(admin, { name: 'busy', rateLimitPerMinute: 1000 }, request());
    await h.identity.authenticateApiKey(issued.key);
    const row = `api_key_per_minute:${hashed(issued.id)}`;
    const holder = createKnex(h.database.url, 1);
    // The watch ends with the race: left polling, it outlived the file on a destroyed pool (jest's worker could not exit).
    const watch = new AbortController();
    try {
      await holder.transaction(async (trx) => {
        await trx.raw(`SELECT 1 FROM ${RATE_LIMIT_TABLE} WHERE key = ? FOR UPDATE`, [row]);
        // Before: every request upserted the row and queued behind the lock until this transaction ended.
        const first = await Promise.race([
          h.identity.authenticateApiKey(issued.key).then(() => 'authenticated' as const),
          waitForLockWaiter(h.knex, watch.signal).then(() => 'waiting for the row lock' as const),
        ]);
        expect(first).toBe('authenticated');
      });
    } finally {
      watch.abort();
      await holder.destroy();
    }
  });

  it('within one process, of concurrent attempts exactly the limit passes', async () => {
    const limiter = new ProcessCountedRateLimiter(h.knex, NAME, { points: 5, windowSeconds: 60 }, { flushIntervalMs: NEVER });
    const outcomes = await Promise.all(Array.from({ length: 20 }, () => limiter.consume('key-a').then(() => 'passed', () => 'refused')));
    expect(outcomes.filter((outcome) => outcome === 'passed')).toHaveLength(5);
    await limiter.close();
  });

  it('counts a cost per attempt and answers the remaining count and the Retry-After of the window', async () => {
    const limiter = new ProcessCountedRateLimiter(h.knex, NAME, { points: 250, windowSeconds: 60 }, { flushIntervalMs: NEVER });
    await expect(limiter.consume('key-b', { cost: 100 })).resolves.toMatchObject({ remaining: 150, points: 250, windowSeconds: 60 });
    await expect(limiter.consume('key-b', { cost: 100 })).resolves.toMatchObject({ remaining: 50 });
    const refused = await limiter.consume('key-b', { cost: 100 }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(RateLimitedError);
    expect((refused as RateLimitedError).limit).toMatchObject({ name: 'counted_test', variable: 'COUNTED_TEST', remaining: 0 });
    expect((refused as RateLimitedError).retryAfterSeconds).toBeGreaterThan(50);
    expect((refused as RateLimitedError).retryAfterSeconds).toBeLessThanOrEqual(60);
    await limiter.close();
  });

  it("another process decides with this process's counts once they are flushed and its own count is read again (the documented overshoot)", async () => {
    const otherPool = createKnex(h.database.url, 2);
    let now = Date.now();
    const options = { clock: () => now, flushIntervalMs: NEVER, staleAfterMs: 1_000 };
    try {
      const here = new ProcessCountedRateLimiter(h.knex, NAME, { points: 5, windowSeconds: 60 }, options);
      const elsewhere = new ProcessCountedRateLimiter(otherPool, NAME, { points: 5, windowSeconds: 60 }, options);
      for (let i = 0; i < 3; i++) await here.consume('key-c');
      // Not flushed yet: unseen elsewhere.
      await expect(elsewhere.consume('key-c')).resolves.toMatchObject({ remaining: 4 });
      await here.flush();
      await elsewhere.flush();
      await expect(stored(h.knex, 'key-c')).resolves.toBe(4);
      // Within staleAfterMs a process goes on with the count it read last: here, 3 (its flush came first).
      await expect(here.consume('key-c')).resolves.toMatchObject({ remaining: 1 });
      now += 1_001;
      // Stale: read again (4, and its own unflushed 1), then counted.
      await expect(here.consume('key-c')).rejects.toBeInstanceOf(RateLimitedError);
      await expect(elsewhere.consume('key-c')).resolves.toMatchObject({ remaining: 0 });
      await here.close();
      await elsewhere.close();
    } finally {
      await otherPool.destroy();
    }
  });

  it('starts over when the window ends', async () => {
    let now = Date.now();
    const limiter = new ProcessCountedRateLimiter(h.knex, NAME, { points: 2, windowSeconds: 60 }, { clock: () => now, flushIntervalMs: NEVER });
    await limiter.consume('key-d');
    await limiter.consume('key-d');
    await expect(limiter.consume('key-d')).rejects.toBeInstanceOf(RateLimitedError);
    await limiter.flush();
    now += 61_000;
    await expect(limiter.consume('key-d')).resolves.toMatchObject({ remaining: 1 });
    await limiter.flush();
    await expect(stored(h.knex, 'key-d')).resolves.toBe(1);
    await limiter.close();
  });

  it('keeps counting through an outage of PostgreSQL and adds the counts of a failed flush with the next one', async () => {
    const proxy = await TcpProxy.start(Number(new URL(h.database.url).port));
    const pool = createKnex(proxy.url(h.database.url), 1, undefined, { statementTimeoutMs: 300 });
    try {
      const limiter = new ProcessCountedRateLimiter(pool, NAME, { points: 10, windowSeconds: 60 }, { flushIntervalMs: NEVER });
      await limiter.consume('key-e');
      await limiter.flush();
      proxy.blackhole();
      await expect(limiter.consume('key-e')).resolves.toMatchObject({ remaining: 8 });
      await limiter.consume('key-e');
      // Fails at the statement's deadline; the counts stay for the next flush.
      await limiter.flush();
      await expect(stored(h.knex, 'key-e')).resolves.toBe(1);
      proxy.heal();
      // A connection the outage left dying may fail one more flush: the counts stay until one succeeds.
      for (let attempt = 0; attempt < 3 && (await stored(h.knex, 'key-e')) !== 3; attempt++) await limiter.flush();
      await expect(stored(h.knex, 'key-e')).resolves.toBe(3);
      await limiter.close();
    } finally {
      await pool.destroy();
      await proxy.close();
    }
  });
});

function hashed(key: string): string {
  return createHash('sha256').update(key).digest('base64url');
}

async function stored(knex: Knex, key: string): Promise<number> {
  const row = await knex(RATE_LIMIT_TABLE).where({ key: `${NAME.name}:${hashed(key)}` }).first<{ points: number } | undefined>('points');
  return row?.points ?? 0;
}

/** Resolves once a backend of this database waits for a row lock of the rate limit table, or once `signal` aborts. */
async function waitForLockWaiter(knex: Knex, signal: AbortSignal): Promise<void> {
  while (!signal.aborted) {
    const { rows } = await knex.raw<{ rows: unknown[] }>(
      `SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query ILIKE ?`,
      [`%${RATE_LIMIT_TABLE}%`],
    );
    if (rows.length > 0) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
