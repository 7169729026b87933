import type { Knex } from 'knex';

/**
 * Facts written straight into the warehouse tables, with their rollups
 * derived in SQL, for tests of the queries over exact rows. The tables are
 * created when the warehouse projections have not (an `api` process builds
 * no projection), in the shape the shared design fixes.
 */
export interface SeedFact {
  event: string;
  at: string;
  userId?: string | null;
  anonymousId?: string | null;
  properties?: Record<string, unknown>;
  messageId?: string;
}

export async function ensureWarehouseTables(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE SCHEMA IF NOT EXISTS warehouse;
    CREATE TABLE IF NOT EXISTS warehouse.facts (
      tenant_id uuid NOT NULL, message_id text NOT NULL, type text NOT NULL, event text NOT NULL, user_id text, anonymous_id text,
      occurred_at timestamptz NOT NULL, sent_timestamp timestamptz, received_at timestamptz NOT NULL, browser text, os text, device text,
      country text, source text NOT NULL, key_id uuid, properties jsonb NOT NULL DEFAULT '{}', position bigint
    );
    CREATE TABLE IF NOT EXISTS warehouse.event_counts_minute (tenant_id uuid, event text, bucket timestamptz, count bigint NOT NULL, PRIMARY KEY (tenant_id, event, bucket));
    CREATE TABLE IF NOT EXISTS warehouse.event_counts_hour (tenant_id uuid, event text, bucket timestamptz, count bigint NOT NULL, PRIMARY KEY (tenant_id, event, bucket));
    CREATE TABLE IF NOT EXISTS warehouse.event_counts_day (tenant_id uuid, event text, bucket timestamptz, count bigint NOT NULL, PRIMARY KEY (tenant_id, event, bucket));
    CREATE TABLE IF NOT EXISTS warehouse.active_users_daily (tenant_id uuid, day date, user_key text, PRIMARY KEY (tenant_id, day, user_key));
  `);
}

let sequence = 0;

/** Adds the facts and refreshes the tenant's rollups from all its facts. */
export async function seedFacts(knex: Knex, tenantId: string, facts: readonly SeedFact[]): Promise<void> {
  if (facts.length > 0) {
    const rows = facts.map((fact) => ({
      tenant_id: tenantId,
      message_id: fact.messageId ?? `seed-${++sequence}`,
      type: fact.event.startsWith('$') ? fact.event.slice(1) : 'track',
      event: fact.event,
      user_id: fact.userId === undefined ? 'user-1' : fact.userId,
      anonymous_id: fact.anonymousId ?? null,
      occurred_at: fact.at,
      received_at: fact.at,
      source: 'segment',
      properties: JSON.stringify(fact.properties ?? {}),
      position: ++sequence,
    }));
    for (let i = 0; i < rows.length; i += 1000) await knex('warehouse.facts').insert(rows.slice(i, i + 1000));
  }
  await knex.transaction(async (trx) => {
    for (const [grain, table] of [['minute', 'event_counts_minute'], ['hour', 'event_counts_hour'], ['day', 'event_counts_day']] as const) {
      await trx.raw(`DELETE FROM warehouse.${table} WHERE tenant_id = ?`, [tenantId]);
      await trx.raw(
        `INSERT INTO warehouse.${table} SELECT tenant_id, event, date_trunc('${grain}', occurred_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC', count(*)
         FROM warehouse.facts WHERE tenant_id = ? GROUP BY 1, 2, 3`,
        [tenantId],
      );
    }
    await trx.raw('DELETE FROM warehouse.active_users_daily WHERE tenant_id = ?', [tenantId]);
    await trx.raw(
      `INSERT INTO warehouse.active_users_daily SELECT DISTINCT tenant_id, (occurred_at AT TIME ZONE 'UTC')::date, coalesce(user_id, 'anon:' || anonymous_id)
       FROM warehouse.facts WHERE tenant_id = ? AND (user_id IS NOT NULL OR anonymous_id IS NOT NULL)`,
      [tenantId],
    );
  });
}
