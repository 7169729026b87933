import type { Knex } from 'knex';
import type { Migration } from '../../infra/postgres/migrations.js';

const TABLE = 'idempotency_keys';

/** An answer as it was given: replayed as it is to a repeat of its request. */
export interface StoredAnswer {
  status: number;
  headers: Record<string, string>;
  /** The JSON body; undefined for an answer without one. */
  body: unknown;
}

/** Where a request stands with its key, after trying to claim it. */
export type ClaimOutcome =
  /** This request owns the key: it runs, then completes or releases the claim. */
  | { kind: 'claimed'; claim: string }
  /** Another request with this key is running; it carried `fingerprint`. */
  | { kind: 'pending'; fingerprint: string }
  /** A request with this key was answered. */
  | { kind: 'answered'; fingerprint: string; answer: StoredAnswer };

export interface IdempotencyKeySettings {
  /** How long a key is remembered from its first use (IDEMPOTENCY_KEY_TTL_SECONDS). */
  ttlSeconds: number;
  /**
   * How long a claim holds without an answer before a repeat may take it over:
   * the owner's process died, or lost the database, while running.
   */
  leaseSeconds: number;
}

interface KeyRow {
  scope: string;
  idempotency_key: string;
  fingerprint: string;
  state: 'pending' | 'answered';
  response_status: number | null;
  response_headers: Record<string, string> | null;
  response_body: string | null;
}

/**
 * Idempotency keys in PostgreSQL, so that every API process sees every claim.
 * Times are the database's (`now()`), so processes with drifting clocks agree
 * on what has expired. Rows past `expires_at` count as absent and are
 * overwritten by the next claim; `deleteExpired` only frees their space.
 */
export class IdempotencyKeys {
  constructor(
    private readonly knex: Knex,
    private readonly settings: IdempotencyKeySettings,
  ) {}

  /**
   * One statement claims a key that is new, expired, or held by a claim whose
   * lease ran out (for the same request only): two racing requests cannot both
   * win it, since PostgreSQL makes the second insert wait for the first.
   */
  async claim(scope: string, key: string, fingerprint: string, claim: string): Promise<ClaimOutcome> {
    for (;;) {
      const { rows } = await this.knex.raw<{ rows: Array<{ claim: string }> }>(
        `INSERT INTO ${TABLE} AS k (scope, idempotency_key, fingerprint, claim, state, locked_until, expires_at, created_at)
         VALUES (?, ?, ?, ?::uuid, 'pending', now() + make_interval(secs => ?), now() + make_interval(secs => ?), now())
         ON CONFLICT (scope, idempotency_key) DO UPDATE
            SET fingerprint = EXCLUDED.fingerprint, claim = EXCLUDED.claim, state = 'pending',
                locked_until = EXCLUDED.locked_until, expires_at = EXCLUDED.expires_at, created_at = EXCLUDED.created_at,
                response_status = NULL, response_headers = NULL, response_body = NULL
          WHERE k.expires_at <= now()
             OR (k.state = 'pending' AND k.locked_until <= now() AND k.fingerprint = EXCLUDED.fingerprint)
         RETURNING claim::text AS claim`,
        [scope, key, fingerprint, claim, this.settings.leaseSeconds, this.settings.ttlSeconds],
      );
      if (rows[0]) return { kind: 'claimed', claim: rows[0].claim };
      const row = await this.knex<KeyRow>(TABLE)
        .select('fingerprint', 'state', 'response_status', 'response_headers', 'response_body')
        .where({ scope, idempotency_key: key })
        .first();
      // Released between the two statements: claim again.
      if (!row) continue;
      if (row.state === 'pending' || row.response_status === null) return { kind: 'pending', fingerprint: row.fingerprint };
      return {
        kind: 'answered',
        fingerprint: row.fingerprint,
        answer: {
          status: row.response_status,
          headers: row.response_headers ?? {},
          body: row.response_body === null ? undefined : (JSON.parse(row.response_body) as unknown),
        },
      };
    }
  }

  /** Keeps the answer; only the claim that ran the request may, so a stale owner cannot overwrite a successor's. */
  async complete(scope: string, key: string, claim: string, answer: StoredAnswer): Promise<void> {
    await this.knex(TABLE)
      .where({ scope, idempotency_key: key, claim, state: 'pending' })
      .update({
        state: 'answered',
        response_status: answer.status,
        response_headers: JSON.stringify(answer.headers),
        // Text, not jsonb: the replay keeps the first answer's key order.
        response_body: answer.body === undefined ? null : JSON.stringify(answer.body),
      });
  }

  /** Forgets a claim whose request changed nothing, so a repeat runs again. */
  async release(scope: string, key: string, claim: string): Promise<void> {
    await this.knex(TABLE).where({ scope, idempotency_key: key, claim, state: 'pending' }).delete();
  }

  /**
   * Deletes up to `limit` expired keys; answers how many. The condition is
   * repeated outside the subquery: PostgreSQL checks it again on a row a claim
   * renewed meanwhile, which must stay.
   */
  async deleteExpired(limit: number): Promise<number> {
    const result = await this.knex.raw<{ rowCount: number }>(
      `DELETE FROM ${TABLE} WHERE expires_at <= now()
          AND (scope, idempotency_key) IN (SELECT scope, idempotency_key FROM ${TABLE} WHERE expires_at <= now() LIMIT ?)`,
      [limit],
    );
    return result.rowCount;
  }
}

export const idempotencyMigrations: Migration[] = [
  {
    name: '0310_idempotency_keys',
    async up(knex: Knex) {
      await knex.raw(`
        CREATE TABLE ${TABLE} (
          scope text NOT NULL,
          idempotency_key text NOT NULL,
          fingerprint text NOT NULL,
          claim uuid NOT NULL,
          state text NOT NULL CHECK (state IN ('pending', 'answered')),
          locked_until timestamptz NOT NULL,
          expires_at timestamptz NOT NULL,
          created_at timestamptz NOT NULL,
          response_status integer,
          response_headers jsonb,
          response_body text,
          PRIMARY KEY (scope, idempotency_key)
        )`);
      await knex.raw(`CREATE INDEX idempotency_keys_expires_at ON ${TABLE} (expires_at)`);
    },
    async down(knex: Knex) {
      await knex.raw(`DROP TABLE IF EXISTS ${TABLE}`);
    },
  },
];
