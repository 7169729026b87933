import type { Knex } from 'knex';
import { unavailable } from './event-counts.js';
import { WAREHOUSE } from './warehouse-tables.js';

export interface ActiveUsersQuery {
  tenantId: string;
  interval: 'day' | 'month';
  from: Date;
  to: Date;
  /** A canonical IANA name. */
  timeZone: string;
  /**
   * The daily rollup holds UTC days: it answers when the zone is UTC all
   * through the range; otherwise the facts are counted in the zone.
   */
  source: 'rollup' | 'facts';
}

export interface ActiveUsersPeriod {
  /** The day or the month's first day, in the zone: `2026-12-01`. */
  period: string;
  /** Where the period starts. */
  start: Date;
  /** Distinct users (a user id, or an anonymous id for events without one). */
  activeUsers: number;
}

/**
 * Distinct active users per day or month, from the period holding `from` to
 * the one holding the last instant before `to`, in the zone; periods without
 * any with 0. Whole periods: a day is counted whole even when the range cuts it.
 */
export async function activeUsers(knex: Knex, query: ActiveUsersQuery): Promise<ActiveUsersPeriod[]> {
  const unit = query.interval;
  const counted =
    query.source === 'rollup'
      ? `SELECT date_trunc('${unit}', a.day)::date AS period, count(DISTINCT a.user_key) AS users
         FROM ${WAREHOUSE.activeUsersDaily} a, p
         WHERE a.tenant_id = p.tenant_id AND a.day >= p.first_period AND a.day < (p.last_period + p.step)::date
         GROUP BY 1`
      : `SELECT date_trunc('${unit}', f.occurred_at AT TIME ZONE p.tz)::date AS period,
                count(DISTINCT coalesce(f.user_id, 'anon:' || f.anonymous_id)) AS users
         FROM ${WAREHOUSE.facts} f, p
         WHERE f.tenant_id = p.tenant_id
           AND f.occurred_at >= (p.first_period::timestamp AT TIME ZONE p.tz)
           AND f.occurred_at < ((p.last_period + p.step)::timestamp AT TIME ZONE p.tz)
           AND (f.user_id IS NOT NULL OR f.anonymous_id IS NOT NULL)
         GROUP BY 1`;
  const sql = `
    WITH asked AS (SELECT ?::uuid AS tenant_id, ?::timestamptz AS from_, ?::timestamptz AS to_, ?::text AS tz, '1 ${unit}'::interval AS step),
      p AS (
        SELECT tenant_id, tz, step,
          date_trunc('${unit}', from_ AT TIME ZONE tz)::date AS first_period,
          date_trunc('${unit}', (to_ - interval '1 microsecond') AT TIME ZONE tz)::date AS last_period
        FROM asked
      ),
      series AS (SELECT d::date AS period FROM p, generate_series(p.first_period::timestamp, p.last_period::timestamp, p.step) AS d),
      counted AS (${counted})
    SELECT to_char(series.period, 'YYYY-MM-DD') AS period, (series.period::timestamp AT TIME ZONE p.tz) AS start, coalesce(counted.users, 0)::text AS users
    FROM series CROSS JOIN p LEFT JOIN counted USING (period)
    ORDER BY series.period`;
  const result = await knex
    .raw<{ rows: Array<{ period: string; start: Date; users: string }> }>(sql, [query.tenantId, query.from.toISOString(), query.to.toISOString(), query.timeZone])
    .catch(unavailable);
  return result.rows.map((row) => ({ period: row.period, start: row.start, activeUsers: Number(row.users) }));
}
