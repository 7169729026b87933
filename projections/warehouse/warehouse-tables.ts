import type { Knex } from 'knex';
import { quoteTable } from '../engine/table-names.js';
import type { ProjectionTables } from '../projection.js';

export const WAREHOUSE_SCHEMA = 'warehouse';

/** Base names: queries read `warehouse.<name>` (views on the live generation). */
export const WAREHOUSE_TABLES = [
  'fact_ids',
  'facts',
  'event_counts_minute',
  'event_counts_hour',
  'event_counts_day',
  'active_users_daily',
  'tenant_usage_daily',
  'users',
  'dates',
] as const;
export type WarehouseTable = (typeof WAREHOUSE_TABLES)[number];
export type WarehouseTables = ProjectionTables<WarehouseTable>;

/** The facts' columns in COPY order (the staging table adds the identify traits). */
export const FACT_COLUMNS = [
  'tenant_id',
  'message_id',
  'type',
  'event',
  'user_id',
  'anonymous_id',
  'occurred_at',
  'sent_timestamp',
  'received_at',
  'browser',
  'os',
  'device',
  'country',
  'source',
  'key_id',
  'properties',
  'position',
] as const;

const FACT_DECLARATIONS = `
  tenant_id uuid NOT NULL,
  message_id text NOT NULL,
  type text NOT NULL,
  event text NOT NULL,
  user_id text,
  anonymous_id text,
  occurred_at timestamptz NOT NULL,
  sent_timestamp timestamptz,
  received_at timestamptz NOT NULL,
  browser text,
  os text,
  device text,
  country text,
  source text NOT NULL,
  key_id uuid,
  properties jsonb NOT NULL,
  position bigint NOT NULL`;

/** The batch's rows, loaded by COPY; per session, emptied at every commit. */
export const STAGING_TABLE = 'pg_temp.warehouse_staging_v1';
export const STAGING_DDL = `CREATE TEMP TABLE IF NOT EXISTS warehouse_staging_v1 (${FACT_DECLARATIONS},\n  traits jsonb\n) ON COMMIT DELETE ROWS`;

/**
 * The tables, each rollup keyed by what a query groups by. The facts'
 * secondary indexes wait for completeSetup during a replay (bulkLoad): the
 * primary keys stay, since every batch's dedup and rollups need them.
 */
export async function createWarehouseTables(trx: Knex.Transaction, tables: WarehouseTables, withIndexes: boolean): Promise<void> {
  const t = (name: WarehouseTable): string => quoteTable(tables[name]);
  await trx.raw(`
    CREATE TABLE ${t('fact_ids')} (tenant_id uuid NOT NULL, message_id text NOT NULL, PRIMARY KEY (tenant_id, message_id));
    CREATE TABLE ${t('facts')} (${FACT_DECLARATIONS}) PARTITION BY RANGE (occurred_at);
    CREATE TABLE ${quoteTable(defaultPartition(tables.facts))} PARTITION OF ${t('facts')} DEFAULT;
    CREATE TABLE ${t('event_counts_minute')} (tenant_id uuid NOT NULL, event text NOT NULL, bucket timestamptz NOT NULL, count bigint NOT NULL, PRIMARY KEY (tenant_id, event, bucket));
    CREATE TABLE ${t('event_counts_hour')} (tenant_id uuid NOT NULL, event text NOT NULL, bucket timestamptz NOT NULL, count bigint NOT NULL, PRIMARY KEY (tenant_id, event, bucket));
    CREATE TABLE ${t('event_counts_day')} (tenant_id uuid NOT NULL, event text NOT NULL, bucket timestamptz NOT NULL, count bigint NOT NULL, PRIMARY KEY (tenant_id, event, bucket));
    CREATE TABLE ${t('active_users_daily')} (tenant_id uuid NOT NULL, day date NOT NULL, user_key text NOT NULL, PRIMARY KEY (tenant_id, day, user_key));
    CREATE TABLE ${t('tenant_usage_daily')} (tenant_id uuid NOT NULL, day date NOT NULL, events bigint NOT NULL, PRIMARY KEY (tenant_id, day));
    CREATE TABLE ${t('users')} (
      tenant_id uuid NOT NULL, user_id text NOT NULL, version integer NOT NULL, traits jsonb NOT NULL,
      valid_from timestamptz NOT NULL, valid_to timestamptz, PRIMARY KEY (tenant_id, user_id, version));
    CREATE TABLE ${t('dates')} (day date PRIMARY KEY, year integer NOT NULL, quarter integer NOT NULL, month integer NOT NULL, iso_week integer NOT NULL, weekday integer NOT NULL);`);
  if (withIndexes) await createWarehouseIndexes(trx, tables);
}

/** On the partitioned parent, so every partition, present and future, has them. Idempotent. */
export async function createWarehouseIndexes(trx: Knex.Transaction, tables: WarehouseTables): Promise<void> {
  const facts = tables.facts;
  await trx.raw(`
    CREATE INDEX IF NOT EXISTS ${quoteTable(`${bareName(facts)}_tenant_time`)} ON ${quoteTable(facts)} (tenant_id, occurred_at);
    CREATE INDEX IF NOT EXISTS ${quoteTable(`${bareName(facts)}_tenant_event_time`)} ON ${quoteTable(facts)} (tenant_id, event, occurred_at);`);
}

export function defaultPartition(facts: string): string {
  return `${facts}_pdefault`;
}

/** The relation's name without its schema (index names take none). */
export function bareName(table: string): string {
  return table.slice(table.lastIndexOf('.') + 1);
}
