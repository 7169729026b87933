import type { Knex } from 'knex';
import { quoteTable } from '../engine/table-names.js';
import { defaultPartition } from './warehouse-tables.js';

/**
 * Facts are partitioned by month of occurred_at (UTC), so old months are
 * dropped as whole tables. A month gets its partition before the first batch
 * writing it commits, when a fact of it is plausible: no older than
 * PLAUSIBLE_PAST_MONTHS before its receipt (backfills included) nor later
 * than a day after. Far outliers (a client clock in 1970 or 2999 without a
 * sentAt to correct it) go to the default partition, so a stray timestamp
 * cannot make PostgreSQL create and plan hundreds of partitions. Decided
 * from the events alone, so a replay builds the same partitions.
 */
export const PLAUSIBLE_PAST_MONTHS = 60;
const FUTURE_MS = 24 * 3600 * 1000;

/** A UTC month as `YYYY_MM`, the suffix of its partition. */
export type Month = string;

export interface DatedFact {
  readonly occurredAt: Date;
  readonly receivedAt: Date;
}

export function monthOf(time: Date): Month {
  return `${String(time.getUTCFullYear()).padStart(4, '0')}_${String(time.getUTCMonth() + 1).padStart(2, '0')}`;
}

/** The months of the batch that warrant a partition. */
export function plausibleMonths(facts: Iterable<DatedFact>): Set<Month> {
  const months = new Set<Month>();
  for (const { occurredAt, receivedAt } of facts) {
    const earliest = new Date(receivedAt);
    earliest.setUTCMonth(earliest.getUTCMonth() - PLAUSIBLE_PAST_MONTHS);
    if (occurredAt >= earliest && occurredAt.getTime() <= receivedAt.getTime() + FUTURE_MS) months.add(monthOf(occurredAt));
  }
  return months;
}

export function partitionName(facts: string, month: Month): string {
  return `${facts}_p${month}`;
}

/** Lists the facts table's partitions (their names: `relname`). Our own names only, so inlined (it may share a round trip). */
export function partitionsQuery(facts: string): string {
  return `SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = '${quoteTable(facts)}'::regclass`;
}

export function monthsOfPartitions(rows: readonly { relname: string }[]): Set<Month> {
  const months = new Set<Month>();
  for (const { relname } of rows) {
    const match = /_p(\d{4}_\d{2})$/.exec(relname);
    if (match) months.add(match[1]!);
  }
  return months;
}

/**
 * The months known to have a partition, by facts table, so that most batches
 * skip the catalogue. Filled only from what a batch's transaction found at
 * its start, hence committed: a partition created by a batch that then
 * rolled back is never taken for granted. A month an operator drops while a
 * worker remembers it only sends that month's late facts to the default
 * partition, from where they move when the month is created again.
 */
export class KnownPartitions {
  private readonly months = new Map<string, Set<Month>>();

  /** The months of `wanted` not known yet (all of them on a first batch). */
  unknown(facts: string, wanted: ReadonlySet<Month>): Month[] {
    const known = this.months.get(facts);
    return [...wanted].filter((month) => !known?.has(month)).sort();
  }

  found(facts: string, months: ReadonlySet<Month>): void {
    this.months.set(facts, new Set(months));
  }
}

/**
 * Creates the month's partition. Facts of that month that went to the
 * default partition earlier (the month was implausible then) move into it
 * first, since PostgreSQL refuses a partition whose rows sit in the default.
 */
export async function createMonthPartition(trx: Knex.Transaction, facts: string, month: Month): Promise<void> {
  const partition = quoteTable(partitionName(facts, month));
  const [from, to] = monthBounds(month);
  await trx.raw(`CREATE TABLE ${partition} (LIKE ${quoteTable(facts)} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)`);
  await trx.raw(
    `WITH moved AS (DELETE FROM ${quoteTable(defaultPartition(facts))} WHERE occurred_at >= ?::timestamptz AND occurred_at < ?::timestamptz RETURNING *)
     INSERT INTO ${partition} SELECT * FROM moved`,
    [from, to],
  );
  await trx.raw(`ALTER TABLE ${quoteTable(facts)} ATTACH PARTITION ${partition} FOR VALUES FROM ('${from}') TO ('${to}')`);
}

export function monthBounds(month: Month): [string, string] {
  const [year, number] = month.split('_').map(Number) as [number, number];
  const from = new Date(Date.UTC(year, number - 1, 1));
  const to = new Date(Date.UTC(year, number, 1));
  return [from.toISOString(), to.toISOString()];
}

/**
 * Retention: detaches and drops the fact partitions of every month before
 * `before` (`YYYY_MM`), in every generation of the facts table (a replay
 * running beside the live one included). Rollups, users and the dedup ids
 * stay; a replay from scratch rebuilds the dropped months from the log.
 */
export async function dropFactPartitionsBefore(knex: Knex, schema: string, before: Month): Promise<string[]> {
  if (!/^\d{4}_\d{2}$/.test(before)) throw new InvalidMonthError(before);
  const { rows } = await knex.raw<{ rows: { parent: string; partition: string }[] }>(
    `SELECT p.relname AS parent, c.relname AS partition
       FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent
      WHERE p.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = ?) AND p.relname ~ '^facts__v[0-9]+_g[0-9]+$'
      ORDER BY 2`,
    [schema],
  );
  const dropped: string[] = [];
  for (const { parent, partition } of rows) {
    const month = /_p(\d{4}_\d{2})$/.exec(partition)?.[1];
    if (month === undefined || month >= before) continue;
    await knex.raw(`ALTER TABLE ${quoteTable(`${schema}.${parent}`)} DETACH PARTITION ${quoteTable(`${schema}.${partition}`)}`);
    await knex.raw(`DROP TABLE ${quoteTable(`${schema}.${partition}`)}`);
    dropped.push(`${schema}.${partition}`);
  }
  return dropped;
}

export class InvalidMonthError extends Error {
  override readonly name = 'InvalidMonthError';
  constructor(readonly month: string) {
    super(`not a month (YYYY_MM): ${JSON.stringify(month.slice(0, 20))}`);
  }
}
