import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Knex } from 'knex';
import { getReplayProgress, startReplay, type AnyProjection } from '../../projections/index.js';
import { validateProjections, type Projection } from '../../projections/projection.js';
import { appendSpread, createProjectionHarness, eventually, reachedHead, type ProjectionHarness } from '../support/projection-harness.js';

/** A projection that reads its events itself (applySpan): it records every stretch of the log it is given and how many events SQL finds in it. */
function spanLedger(): Projection<'spans'> {
  return {
    name: 'span_ledger',
    version: 1,
    filter: {},
    tables: ['spans'],
    async setup(trx, tables) {
      await trx.raw(`CREATE TABLE "${tables.spans}" (after numeric(40,0), through numeric(40,0) PRIMARY KEY, events int NOT NULL)`);
    },
    async apply() {
      throw new Error('on PostgreSQL a projection with applySpan is never given events');
    },
    async applySpan(span, trx, tables) {
      const after = span.after ?? -1n;
      const { rows } = await trx.raw<{ rows: Array<{ events: number }> }>(
        `INSERT INTO "${tables.spans}" (after, through, events)
         SELECT ?::numeric, ?::numeric, count(*)::int FROM events
          WHERE tx_id::text::numeric * 4294967296 + idx > ? AND tx_id::text::numeric * 4294967296 + idx <= ?
         RETURNING events`,
        [span.after === undefined ? null : String(span.after), String(span.through), String(after), String(span.through)],
      );
      return rows[0]!.events;
    },
  };
}

/** The spans in order: each must start where the one before ended, the first at the start of the log. */
async function ledger(knex: Knex, table: string): Promise<{ contiguous: boolean; through: bigint | undefined; events: number; largest: number }> {
  const rows = await knex(table).orderBy('through').select<Array<{ after: string | null; through: string; events: number }>>('after', 'through', 'events');
  const contiguous = rows.every((row, i) => (i === 0 ? row.after === null : row.after === rows[i - 1]!.through));
  return { contiguous, through: rows.length === 0 ? undefined : BigInt(rows.at(-1)!.through), events: rows.reduce((sum, row) => sum + row.events, 0), largest: Math.max(0, ...rows.map((row) => row.events)) };
}

describe('a projection reading spans of the log where its events lie (applySpan)', () => {
  let harness: ProjectionHarness;

  beforeAll(async () => {
    harness = await createProjectionHarness();
  });

  afterAll(async () => {
    await harness.dispose();
  });

  it('is given every stretch of the log once, in order, without its events: catching up, live, and replayed', async () => {
    const projection = spanLedger();
    // More than a page (20,000): catching up takes the log in several stretches.
    await appendSpread(harness.store, { count: 20_120, streams: 4, perAppend: 500 });
    await harness.startEngine([projection]);
    await eventually('caught up', () => reachedHead(harness.knex, harness.store, 'span_ledger'));
    const head = await appendSpread(harness.store, { count: 45, streams: 3, perAppend: 3 });
    await eventually('live at the head', () => reachedHead(harness.knex, harness.store, 'span_ledger'));
    const live = await ledger(harness.knex, 'spans');
    // The first stretch is one page of the catch-up.
    expect(live).toEqual({ contiguous: true, through: head, events: 20_165, largest: 20_000 });

    const deps = { knex: harness.knex, eventStore: harness.store, projections: [projection] as AnyProjection[] };
    const job = await startReplay(deps, 'span_ledger', 'operator@example.com');
    await eventually('the replay completes', async () => (await getReplayProgress(deps, job.jobId)).state === 'completed', 30_000);
    const progress = await getReplayProgress(deps, job.jobId);
    expect(progress).toMatchObject({ processed: '20165', percent: 100 });
    expect(await ledger(harness.knex, 'spans')).toMatchObject({ contiguous: true, through: head, events: 20_165 });
  });

  it('refuses a filter: a stretch of the log holds every event', () => {
    expect(() => validateProjections([{ ...spanLedger(), filter: { eventTypes: ['ItemChanged'] } }])).toThrow(/applySpan takes every event/);
  });
});
