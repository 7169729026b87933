import type { Knex } from 'knex';
import type { JsonObject } from '../../infra/event-store/event-store.js';
import { copyRows, type CopyValue } from '../copy-rows.js';
import { quoteTable } from '../engine/table-names.js';
import { createMonthPartition, type KnownPartitions, monthsOfPartitions, partitionsQuery, plausibleMonths } from './fact-partitions.js';
import type { ReceivedFact } from './warehouse-inputs.js';
import { FACT_COLUMNS, STAGING_DDL, STAGING_TABLE, type WarehouseTables } from './warehouse-tables.js';

/** An identify call that was new to the warehouse: its traits go to the users dimension. */
export interface IdentifiedUser {
  readonly tenantId: string;
  readonly userId: string;
  readonly traits: JsonObject;
  readonly at: Date;
  readonly position: bigint;
}

/**
 * Loads one batch's received events set-based, in the batch's transaction:
 * COPY into the session's staging table, then one statement that keeps the
 * first of each (tenant, messageId) by log order, records the ids the
 * warehouse had not seen (INSERT ... ON CONFLICT DO NOTHING RETURNING on
 * fact_ids), and feeds only those to the facts and every rollup. A message
 * seen before, in this batch or days earlier, with another corrected time
 * (a retry carries a new sentAt), counts nowhere again.
 */
export async function loadFacts(trx: Knex.Transaction, tables: WarehouseTables, facts: readonly ReceivedFact[], known: KnownPartitions): Promise<IdentifiedUser[]> {
  if (facts.length === 0) return [];
  await prepare(trx, tables.facts, facts, known);
  await copyRows(trx, STAGING_TABLE, [...FACT_COLUMNS, 'traits'], facts.map(stagingRow));
  const { rows } = await trx.raw<{ rows: { tenant_id: string; user_id: string; traits: JsonObject; occurred_at: Date; position: string }[] }>(loadStatement(tables));
  return rows.map((row) => ({ tenantId: row.tenant_id, userId: row.user_id, traits: row.traits, at: row.occurred_at, position: BigInt(row.position) }));
}

/**
 * The staging table, and the month partitions the batch needs, in one round
 * trip (a busy process waits for each): the catalogue is read only when the
 * batch has a month not known to have its partition yet.
 */
async function prepare(trx: Knex.Transaction, facts: string, batch: readonly ReceivedFact[], known: KnownPartitions): Promise<void> {
  const unknown = known.unknown(facts, plausibleMonths(batch));
  // Buckets and days are UTC: truncating in a UTC session is the cheap way. The notice that the staging table exists is not worth a log line.
  const staging = `SET LOCAL TimeZone = 'UTC'; SET LOCAL client_min_messages = warning; ${STAGING_DDL}`;
  if (unknown.length === 0) {
    await trx.raw(staging);
    return;
  }
  const results = await trx.raw<Array<{ rows: { relname: string }[] }>>(`${staging}; ${partitionsQuery(facts)}`);
  const existing = monthsOfPartitions(results.at(-1)!.rows);
  known.found(facts, existing);
  for (const month of unknown) if (!existing.has(month)) await createMonthPartition(trx, facts, month);
}

function stagingRow(fact: ReceivedFact): CopyValue[] {
  return [
    fact.tenantId,
    fact.messageId,
    fact.type,
    fact.event,
    fact.userId,
    fact.anonymousId,
    fact.occurredAt.toISOString(),
    fact.sentTimestamp,
    fact.receivedAt.toISOString(),
    fact.browser,
    fact.os,
    fact.device,
    fact.country,
    fact.source,
    fact.keyId,
    JSON.stringify(fact.properties),
    fact.position,
    fact.traits === null ? null : JSON.stringify(fact.traits),
  ];
}

function loadStatement(tables: WarehouseTables): string {
  const t = (name: keyof WarehouseTables): string => quoteTable(tables[name]);
  const columns = FACT_COLUMNS.join(', ');
  // Hours, days and dates come from the batch's minutes (a few rows), not from its facts again.
  const rollup = (table: keyof WarehouseTables, unit: 'hour' | 'day'): string =>
    `INSERT INTO ${t(table)} AS r (tenant_id, event, bucket, count)
       SELECT tenant_id, event, date_trunc('${unit}', bucket), sum(count) FROM minutes GROUP BY 1, 2, 3
       ON CONFLICT (tenant_id, event, bucket) DO UPDATE SET count = r.count + EXCLUDED.count`;
  return `
    WITH firsts AS MATERIALIZED (
      SELECT DISTINCT ON (tenant_id, message_id) * FROM ${STAGING_TABLE} ORDER BY tenant_id, message_id, position
    ), new_ids AS (
      INSERT INTO ${t('fact_ids')} (tenant_id, message_id) SELECT tenant_id, message_id FROM firsts
      ON CONFLICT DO NOTHING RETURNING tenant_id, message_id
    ), fresh AS MATERIALIZED (
      SELECT f.* FROM firsts f JOIN new_ids n USING (tenant_id, message_id)
    ), facts_in AS (
      INSERT INTO ${t('facts')} (${columns}) SELECT ${columns} FROM fresh
    ), minutes AS MATERIALIZED (
      SELECT tenant_id, event, date_trunc('minute', occurred_at) AS bucket, count(*) AS count FROM fresh GROUP BY 1, 2, 3
    ), minute_in AS (
      INSERT INTO ${t('event_counts_minute')} AS r (tenant_id, event, bucket, count) SELECT tenant_id, event, bucket, count FROM minutes
      ON CONFLICT (tenant_id, event, bucket) DO UPDATE SET count = r.count + EXCLUDED.count
    ), hour_in AS (${rollup('event_counts_hour', 'hour')}
    ), day_in AS (${rollup('event_counts_day', 'day')}
    ), active_in AS (
      INSERT INTO ${t('active_users_daily')} (tenant_id, day, user_key)
      SELECT DISTINCT tenant_id, occurred_at::date, COALESCE(user_id, 'anon:' || anonymous_id) FROM fresh
       WHERE user_id IS NOT NULL OR anonymous_id IS NOT NULL
      ON CONFLICT DO NOTHING
    ), usage_in AS (
      -- Metering counts what was received that day, whatever time the events claim.
      INSERT INTO ${t('tenant_usage_daily')} AS u (tenant_id, day, events)
      SELECT tenant_id, received_at::date, count(*) FROM fresh GROUP BY 1, 2
      ON CONFLICT (tenant_id, day) DO UPDATE SET events = u.events + EXCLUDED.events
    ), dates_in AS (
      INSERT INTO ${t('dates')} (day, year, quarter, month, iso_week, weekday)
      SELECT day, extract(year FROM day), extract(quarter FROM day), extract(month FROM day), extract(week FROM day), extract(isodow FROM day)
        FROM (SELECT DISTINCT bucket::date AS day FROM minutes) d
      ON CONFLICT DO NOTHING
    )
    SELECT tenant_id, user_id, traits, occurred_at, position FROM fresh
     WHERE type = 'identify' AND user_id IS NOT NULL AND traits IS NOT NULL
     ORDER BY position`;
}
