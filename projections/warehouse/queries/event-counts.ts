import type { Knex } from 'knex';
import { ReadModelUnavailableError } from '../../engine/errors.js';
import { WAREHOUSE } from './warehouse-tables.js';

export type CountsGrain = 'minute' | 'hour' | 'day';

export interface EventCountsQuery {
  tenantId: string;
  /** One event (`signup`, `$page`); every event of the tenant summed when absent. */
  event?: string | undefined;
  from: Date;
  to: Date;
  interval: 'minute' | 'hour' | 'day';
  /** A canonical IANA name (api/analytics/time-range.ts resolveTimeZone). */
  timeZone: string;
  /** The rollup table to sum: one whose buckets fit the range and the interval in the zone exactly (rollupGrain). */
  grain: CountsGrain;
}

export interface CountBucket {
  /** Where the bucket starts. */
  start: Date;
  count: number;
}

const STEP: Record<'minute' | 'hour', string> = { minute: '1 minute', hour: '1 hour' };

/**
 * One bucket per interval from the one holding `from` to the one holding the
 * last instant before `to`, empty ones with 0: the chart needs no gaps filled.
 * Minute and hour buckets are fixed lengths of time from `from`'s local minute
 * or hour; day buckets are calendar days in the zone (23 or 25 hours across a
 * DST change). Events count where their rollup bucket falls in [from, to).
 */
export async function eventCounts(knex: Knex, query: EventCountsQuery): Promise<CountBucket[]> {
  const table = WAREHOUSE.countsByGrain[query.grain];
  const eventFilter = query.event === undefined ? '' : 'AND c.event = p.event';
  const sql =
    query.interval === 'day'
      ? `WITH p AS (SELECT ?::uuid AS tenant_id, ?::text AS event, ?::timestamptz AS from_, ?::timestamptz AS to_, ?::text AS tz),
           series AS (
             SELECT d::date AS day FROM p,
               generate_series(date_trunc('day', p.from_ AT TIME ZONE p.tz), date_trunc('day', (p.to_ - interval '1 microsecond') AT TIME ZONE p.tz), interval '1 day') AS d
           ),
           counted AS (
             SELECT (c.bucket AT TIME ZONE p.tz)::date AS day, sum(c.count) AS count
             FROM ${table} c, p
             WHERE c.tenant_id = p.tenant_id AND c.bucket >= p.from_ AND c.bucket < p.to_ ${eventFilter}
             GROUP BY 1
           )
         SELECT (series.day::timestamp AT TIME ZONE p.tz) AS start, coalesce(counted.count, 0)::text AS count
         FROM series CROSS JOIN p LEFT JOIN counted USING (day)
         ORDER BY series.day`
      : `WITH p AS (SELECT ?::uuid AS tenant_id, ?::text AS event, ?::timestamptz AS from_, ?::timestamptz AS to_, ?::text AS tz, '${STEP[query.interval]}'::interval AS step),
           origin AS (SELECT date_trunc('${query.interval}', p.from_ AT TIME ZONE p.tz) AT TIME ZONE p.tz AS origin FROM p),
           series AS (SELECT generate_series(origin.origin, p.to_ - interval '1 microsecond', p.step) AS start FROM p, origin),
           counted AS (
             SELECT origin.origin + p.step * floor(extract(epoch FROM c.bucket - origin.origin) / extract(epoch FROM p.step)) AS start, sum(c.count) AS count
             FROM ${table} c, p, origin
             WHERE c.tenant_id = p.tenant_id AND c.bucket >= p.from_ AND c.bucket < p.to_ ${eventFilter}
             GROUP BY 1
           )
         SELECT series.start, coalesce(counted.count, 0)::text AS count
         FROM series LEFT JOIN counted USING (start)
         ORDER BY series.start`;
  const bindings = [query.tenantId, query.event ?? null, query.from.toISOString(), query.to.toISOString(), query.timeZone];
  const result = await knex.raw<{ rows: Array<{ start: Date; count: string }> }>(sql, bindings).catch(unavailable);
  return result.rows.map((row) => ({ start: row.start, count: Number(row.count) }));
}

export interface TopEventsQuery {
  tenantId: string;
  from: Date;
  to: Date;
  limit: number;
  grain: CountsGrain;
}

/** The tenant's most frequent events in [from, to), most first (then by name). */
export async function topEvents(knex: Knex, query: TopEventsQuery): Promise<Array<{ event: string; count: number }>> {
  const table = WAREHOUSE.countsByGrain[query.grain];
  const rows = await knex
    .raw<{ rows: Array<{ event: string; count: string }> }>(
      `SELECT event, sum(count)::text AS count FROM ${table}
       WHERE tenant_id = ?::uuid AND bucket >= ?::timestamptz AND bucket < ?::timestamptz
       GROUP BY event ORDER BY sum(count) DESC, event LIMIT ?`,
      [query.tenantId, query.from.toISOString(), query.to.toISOString(), query.limit],
    )
    .catch(unavailable);
  return rows.rows.map((row) => ({ event: row.event, count: Number(row.count) }));
}

export function unavailable(error: unknown): never {
  throw ReadModelUnavailableError.translate('warehouse', error);
}
