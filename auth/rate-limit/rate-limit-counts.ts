import type { Knex } from 'knex';
import { RATE_LIMIT_TABLE } from '../schema.js';

/** What the counter column (an int4) may hold; a count past it is far over any limit anyway. */
export const COUNT_CEILING = 2_000_000_000;

export interface CountDelta {
  /** The row's key, as rate-limiter-flexible writes it (`<limit name>:<hashed key>`). */
  key: string;
  /** Attempts (or their cost) to add; 0 reads the count, starting a window if none runs. */
  add: number;
}

export interface CountAnswer {
  key: string;
  /** The window's count, every process's additions included. */
  count: number;
  /** When the window ends, a Date.now() time. */
  windowEndsAt: number;
}

/**
 * Adds to many counters of `auth_rate_limits` in one statement (one commit),
 * in rate-limiter-flexible's row layout and window rule (an expired row
 * starts over), so these rows and the ones PostgresRateLimiter writes are
 * the same kind. Keys are sorted: two processes adding to the same rows lock
 * them in one order and cannot deadlock.
 */
export async function addToCounts(knex: Knex, deltas: readonly CountDelta[], windowSeconds: number, now: number): Promise<CountAnswer[]> {
  if (deltas.length === 0) return [];
  const sorted = [...deltas].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const { rows } = await knex.raw<{ rows: { key: string; points: number; expire: string }[] }>(
    `INSERT INTO ${RATE_LIMIT_TABLE} AS counted (key, points, expire)
     SELECT key, added, :expire::bigint FROM unnest(:keys::text[], :added::int4[]) WITH ORDINALITY AS d(key, added, n) ORDER BY n
     ON CONFLICT (key) DO UPDATE SET
       points = CASE WHEN counted.expire <= :now::bigint THEN EXCLUDED.points ELSE LEAST(counted.points::int8 + EXCLUDED.points, ${COUNT_CEILING})::int4 END,
       expire = CASE WHEN counted.expire <= :now::bigint THEN EXCLUDED.expire ELSE counted.expire END
     RETURNING key, points, expire`,
    {
      keys: sorted.map((delta) => delta.key),
      added: sorted.map((delta) => Math.min(delta.add, COUNT_CEILING)),
      expire: now + windowSeconds * 1000,
      now,
    },
  );
  return rows.map((row) => ({ key: row.key, count: row.points, windowEndsAt: Number(row.expire) }));
}
