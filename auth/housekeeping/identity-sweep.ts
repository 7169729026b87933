import type { Knex } from 'knex';
import { RATE_LIMIT_TABLE } from '../schema.js';

export interface IdentitySweepSettings {
  /**
   * How long a rotated refresh token is kept after its rotation: presented
   * again within that time it ends its session (theft detected); after it,
   * it reads as unknown (REFRESH_TOKEN_REUSE_DETECTION_SECONDS).
   */
  reuseDetectionSeconds: number;
  /** Rows deleted per statement: short statements, so no sweep holds locks a login waits for. */
  batchSize?: number;
}

/** What one sweep deleted, by kind. */
export interface SweepCounts {
  endedSessions: number;
  rotatedRefreshTokens: number;
  abandonedOidcLogins: number;
  expiredEmailTokens: number;
  expiredRateLimits: number;
}

/** `skipped` when another process was sweeping. */
export type SweepResult = { skipped: true } | ({ skipped: false } & SweepCounts);

/** Any number of processes may sweep; the one holding this lock does, the others skip. */
export const SWEEP_LOCK = 0x63687377; // 'chsw'

interface Target {
  table: string;
  key: string;
  /** A condition on the row alone: also checked again on a row a concurrent writer changed (PostgreSQL's recheck). */
  expired: (now: Date) => [sql: string, bindings: Knex.RawBinding[]];
}

/**
 * Deletes what identity no longer needs: sessions that ended or expired
 * (their refresh tokens go with them), refresh tokens rotated longer ago
 * than reuse detection looks back, OIDC logins started and never completed,
 * mail links past their lifetime, and rate-limit counters whose window is
 * over. Each statement deletes at most `batchSize` rows under a
 * transaction-scoped advisory lock: two processes never sweep at once, and
 * no sweep holds a lock for long.
 */
export class IdentitySweep {
  private readonly batchSize: number;

  constructor(
    private readonly knex: Knex,
    private readonly settings: IdentitySweepSettings,
  ) {
    this.batchSize = settings.batchSize ?? 5_000;
  }

  async sweep(now: Date): Promise<SweepResult> {
    const reuseCutoff = new Date(now.getTime() - this.settings.reuseDetectionSeconds * 1000);
    const targets: Record<keyof SweepCounts, Target> = {
      endedSessions: { table: 'auth_sessions', key: 'id', expired: (at) => ['(expires_at <= ? OR revoked_at IS NOT NULL)', [at]] },
      rotatedRefreshTokens: { table: 'auth_refresh_tokens', key: 'token_hash', expired: () => ['rotated_at < ?', [reuseCutoff]] },
      abandonedOidcLogins: { table: 'auth_oidc_logins', key: 'state', expired: (at) => ['expires_at <= ?', [at]] },
      expiredEmailTokens: { table: 'auth_email_tokens', key: 'token_hash', expired: (at) => ['expires_at <= ?', [at]] },
      // rate-limiter-flexible keeps the window's end as epoch milliseconds.
      expiredRateLimits: { table: RATE_LIMIT_TABLE, key: 'key', expired: (at) => ['expire < ?', [at.getTime()]] },
    };
    const counts: SweepCounts = { endedSessions: 0, rotatedRefreshTokens: 0, abandonedOidcLogins: 0, expiredEmailTokens: 0, expiredRateLimits: 0 };
    for (const [kind, target] of Object.entries(targets) as Array<[keyof SweepCounts, Target]>) {
      for (;;) {
        const deleted = await this.deleteBatch(target, now);
        if (deleted === 'skipped') return { skipped: true };
        counts[kind] += deleted;
        if (deleted < this.batchSize) break;
      }
    }
    return { skipped: false, ...counts };
  }

  private deleteBatch(target: Target, now: Date): Promise<number | 'skipped'> {
    const [condition, bindings] = target.expired(now);
    return this.knex.transaction(async (trx) => {
      const { rows } = await trx.raw<{ rows: Array<{ locked: boolean }> }>('SELECT pg_try_advisory_xact_lock(?) AS locked', [SWEEP_LOCK]);
      if (!rows[0]?.locked) return 'skipped';
      const result = await trx.raw<{ rowCount: number }>(
        `DELETE FROM ?? WHERE ${condition} AND ?? IN (SELECT ?? FROM ?? WHERE ${condition} LIMIT ?)`,
        [target.table, ...bindings, target.key, target.key, target.table, ...bindings, this.batchSize],
      );
      return result.rowCount;
    });
  }
}
