import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from '@jest/globals';
import type { Knex } from 'knex';
import { getReplayProgress, startReplay } from '../../projections/index.js';
import { dropFactPartitionsBefore } from '../../projections/warehouse/fact-partitions.js';
import { warehouseProjection } from '../../projections/warehouse/warehouse-projection.js';
import { appendGiven, type GivenEvent } from '../support/given-events.js';
import { createProjectionHarness, eventually, reachedHead, type ProjectionHarness } from '../support/projection-harness.js';
import { received, signedUp } from '../support/warehouse-events.js';

let harness: ProjectionHarness | undefined;

afterEach(async () => {
  await harness?.dispose();
  harness = undefined;
});

/** The warehouse built live from these events, `batchEvents` at a time. */
async function built(events: readonly GivenEvent[], batchEvents = 2): Promise<ProjectionHarness> {
  harness = await createProjectionHarness();
  await harness.startEngine([warehouseProjection({ batchEvents })]);
  await appendGiven(harness.store, events);
  await caughtUp(harness);
  return harness;
}

async function caughtUp(h: ProjectionHarness): Promise<void> {
  await eventually('the warehouse has applied every event', async () => {
    const state = await h.knex('projections').where({ name: 'warehouse' }).first<{ state: string; error_message: string | null } | undefined>('state', 'error_message');
    if (state?.state === 'failed') throw new Error(`the warehouse failed: ${state.error_message}`);
    return reachedHead(h.knex, h.store, 'warehouse');
  });
}

async function rows(knex: Knex, sql: string): Promise<Record<string, unknown>[]> {
  return (await knex.raw<{ rows: Record<string, unknown>[] }>(sql)).rows;
}

/** Every warehouse table through its view, every column as text, in a fixed order. */
async function everything(knex: Knex): Promise<Record<string, string[]>> {
  const tables = ['fact_ids', 'facts', 'event_counts_minute', 'event_counts_hour', 'event_counts_day', 'active_users_daily', 'tenant_usage_daily', 'users', 'dates'];
  const result: Record<string, string[]> = {};
  for (const table of tables) {
    const found = await rows(knex, `SELECT t::text AS row FROM warehouse.${table} t ORDER BY 1`);
    result[table] = found.map((row) => String(row['row']));
  }
  return result;
}

async function replay(h: ProjectionHarness): Promise<void> {
  const deps = { knex: h.knex, eventStore: h.store, projections: [warehouseProjection()] };
  const job = await startReplay(deps, 'warehouse', 'test');
  await eventually('the replay completes', async () => {
    const progress = await getReplayProgress(deps, job.jobId);
    if (progress.state === 'failed') throw new Error(`the replay failed: ${progress.error?.message ?? ''}`);
    return progress.state === 'completed';
  });
}

/** Facts by the partition of the live generation holding them. */
async function partitions(knex: Knex): Promise<Record<string, number>> {
  const live = await knex('projections').where({ name: 'warehouse' }).first<{ version: number; generation: number }>('version', 'generation');
  const found = await rows(
    knex,
    `SELECT regexp_replace(tableoid::regclass::text, '^.*_p', '') AS partition, count(*)::int AS n
       FROM warehouse.facts__v${live.version}_g${live.generation} GROUP BY 1 ORDER BY 1`,
  );
  return Object.fromEntries(found.map((row) => [String(row['partition']), Number(row['n'])]));
}

describe('the analytics warehouse', () => {
  const tenant = randomUUID();

  it('counts a message once in every table: repeated in a batch, retried in a later batch with another corrected time', async () => {
    const h = await built([
      received(tenant, 'm-1', { event: 'Clicked', userId: 'u-1', at: '2026-03-10T10:00:30.000Z' }),
      received(tenant, 'm-1', { event: 'Clicked', userId: 'u-1', at: '2026-03-10T10:00:30.000Z' }),
      received(tenant, 'm-2', { type: 'page', event: null, userId: null, anonymousId: 'a-9', at: '2026-03-10T10:00:50.000Z' }),
      received(tenant, 'm-3', { event: 'Clicked', userId: 'u-2', at: '2026-03-10T10:01:05.000Z', receivedAt: '2026-03-11T00:00:01.000Z' }),
      // The same message again, a retry days later: a new sentAt, so another corrected time.
      received(tenant, 'm-1', { event: 'Clicked', userId: 'u-1', at: '2026-03-10T11:30:00.000Z', receivedAt: '2026-03-13T09:00:00.000Z' }),
    ]);
    expect(await rows(h.knex, `SELECT message_id, type, event, user_id, anonymous_id, occurred_at::text, browser FROM warehouse.facts ORDER BY position`)).toEqual([
      { message_id: 'm-1', type: 'track', event: 'Clicked', user_id: 'u-1', anonymous_id: null, occurred_at: '2026-03-10 10:00:30+00', browser: 'Firefox' },
      { message_id: 'm-2', type: 'page', event: '$page', user_id: null, anonymous_id: 'a-9', occurred_at: '2026-03-10 10:00:50+00', browser: 'Firefox' },
      { message_id: 'm-3', type: 'track', event: 'Clicked', user_id: 'u-2', anonymous_id: null, occurred_at: '2026-03-10 10:01:05+00', browser: 'Firefox' },
    ]);
    expect(await rows(h.knex, `SELECT count(*)::int AS n FROM warehouse.fact_ids`)).toEqual([{ n: 3 }]);
    expect(await rows(h.knex, `SELECT event, bucket::text, count::int FROM warehouse.event_counts_minute ORDER BY 2, 1`)).toEqual([
      { event: '$page', bucket: '2026-03-10 10:00:00+00', count: 1 },
      { event: 'Clicked', bucket: '2026-03-10 10:00:00+00', count: 1 },
      { event: 'Clicked', bucket: '2026-03-10 10:01:00+00', count: 1 },
    ]);
    expect(await rows(h.knex, `SELECT event, bucket::text, count::int FROM warehouse.event_counts_hour ORDER BY 1`)).toEqual([
      { event: '$page', bucket: '2026-03-10 10:00:00+00', count: 1 },
      { event: 'Clicked', bucket: '2026-03-10 10:00:00+00', count: 2 },
    ]);
    expect(await rows(h.knex, `SELECT event, bucket::text, count::int FROM warehouse.event_counts_day ORDER BY 1`)).toEqual([
      { event: '$page', bucket: '2026-03-10 00:00:00+00', count: 1 },
      { event: 'Clicked', bucket: '2026-03-10 00:00:00+00', count: 2 },
    ]);
    expect(await rows(h.knex, `SELECT day::text, user_key FROM warehouse.active_users_daily ORDER BY 2`)).toEqual([
      { day: '2026-03-10', user_key: 'anon:a-9' },
      { day: '2026-03-10', user_key: 'u-1' },
      { day: '2026-03-10', user_key: 'u-2' },
    ]);
    // Metering counts by the day of receipt.
    expect(await rows(h.knex, `SELECT day::text, events::int FROM warehouse.tenant_usage_daily ORDER BY 1`)).toEqual([
      { day: '2026-03-10', events: 2 },
      { day: '2026-03-11', events: 1 },
    ]);
    expect(await rows(h.knex, `SELECT day::text, year, quarter, month, iso_week, weekday FROM warehouse.dates`)).toEqual([
      { day: '2026-03-10', year: 2026, quarter: 1, month: 3, iso_week: 11, weekday: 2 },
    ]);
  });

  it('keeps traits over time: signup, then identify calls that change, repeat, and retry', async () => {
    const userId = randomUUID();
    const h = await built([
      signedUp(tenant, userId, 'ada@example.com', 'Ada', '2026-03-01T08:00:00.000Z'),
      received(tenant, 'i-1', { type: 'identify', userId, traits: { plan: 'pro' }, at: '2026-03-02T08:00:00.000Z' }),
      // Nothing new: no version.
      received(tenant, 'i-2', { type: 'identify', userId, traits: { plan: 'pro', email: 'ada@example.com' }, at: '2026-03-03T08:00:00.000Z' }),
      received(tenant, 'i-3', { type: 'identify', userId, traits: { plan: 'enterprise' }, at: '2026-03-04T08:00:00.000Z' }),
      // A retry of i-1, seen before: it changes nothing, though its traits differ from the current ones.
      received(tenant, 'i-1', { type: 'identify', userId, traits: { plan: 'pro' }, at: '2026-03-05T08:00:00.000Z' }),
      // Late: it claims a time before the current version's, so it starts when that one does.
      received(tenant, 'i-4', { type: 'identify', userId, traits: { company: 'ACME' }, at: '2026-03-03T00:00:00.000Z' }),
    ]);
    expect(await rows(h.knex, `SELECT version, traits, valid_from::text, valid_to::text FROM warehouse.users WHERE user_id = '${userId}' ORDER BY version`)).toEqual([
      { version: 1, traits: { email: 'ada@example.com', name: 'Ada' }, valid_from: '2026-03-01 08:00:00+00', valid_to: '2026-03-02 08:00:00+00' },
      { version: 2, traits: { email: 'ada@example.com', name: 'Ada', plan: 'pro' }, valid_from: '2026-03-02 08:00:00+00', valid_to: '2026-03-04 08:00:00+00' },
      { version: 3, traits: { email: 'ada@example.com', name: 'Ada', plan: 'enterprise' }, valid_from: '2026-03-04 08:00:00+00', valid_to: '2026-03-04 08:00:00+00' },
      { version: 4, traits: { email: 'ada@example.com', name: 'Ada', plan: 'enterprise', company: 'ACME' }, valid_from: '2026-03-04 08:00:00+00', valid_to: null },
    ]);
  });

  it('writes each month into its partition, created first; far outliers into the default one until their month gets one; old months drop', async () => {
    const h = await built(
      [
        received(tenant, 'p-1', { at: '2026-01-10T12:00:00.000Z' }),
        // Two months ahead of its receipt: implausible, so no partition for March yet.
        received(tenant, 'p-2', { at: '2026-03-15T12:00:00.000Z', receivedAt: '2026-01-10T12:00:00.000Z' }),
        received(tenant, 'p-3', { at: '1990-05-01T00:00:00.000Z', receivedAt: '2026-01-10T12:00:00.000Z' }),
        // March is now: its partition is created, and p-2 moves into it.
        received(tenant, 'p-4', { at: '2026-03-02T12:00:00.000Z' }),
        received(tenant, 'p-5', { at: '2026-02-02T12:00:00.000Z' }),
      ],
      1,
    );
    expect(await partitions(h.knex)).toEqual({ '2026_01': 1, '2026_02': 1, '2026_03': 2, default: 1 });
    const before = await everything(h.knex);

    expect(await dropFactPartitionsBefore(h.knex, 'warehouse', '2026_03')).toEqual(['warehouse.facts__v1_g1_p2026_01', 'warehouse.facts__v1_g1_p2026_02']);
    expect(await partitions(h.knex)).toEqual({ '2026_03': 2, default: 1 });
    // Only raw facts go: the dedup ids and the rollups stay.
    const after = await everything(h.knex);
    expect({ ...after, facts: [] }).toEqual({ ...before, facts: [] });

    // A replay rebuilds the dropped months from the log.
    await replay(h);
    expect(await everything(h.knex)).toEqual(before);
    expect(await partitions(h.knex)).toEqual({ '2026_01': 1, '2026_02': 1, '2026_03': 2, default: 1 });
    // The old generation went, partitioned tables and their partitions included.
    await eventually('the old generation is dropped', async () => (await rows(h.knex, `SELECT relname FROM pg_class WHERE relnamespace = 'warehouse'::regnamespace AND relname LIKE 'facts\\_\\_v1\\_g1%'`)).length === 0);
  });

  it('a replay from scratch, cut into other batches, writes the same rows in every table', async () => {
    const events: GivenEvent[] = [];
    const tenants = [tenant, randomUUID()];
    for (let i = 0; i < 300; i++) {
      const t = tenants[i % 2]!;
      const at = new Date(Date.UTC(2026, 4, 30, 22, 0, 0) + i * 97_000).toISOString();
      const message = `r-${i % 250}`; // the last 50 repeat earlier messages
      if (i % 40 === 7) events.push(signedUp(t, `u-${i % 5}`, `u${i}@example.com`, `User ${i}`, at));
      else if (i % 9 === 0) events.push(received(t, message, { type: 'identify', userId: `u-${i % 5}`, traits: { seen: i % 3 }, at }));
      else events.push(received(t, message, { event: `E${i % 4}`, userId: i % 3 === 0 ? null : `u-${i % 5}`, anonymousId: `a-${i % 7}`, properties: { i, tab: 'a\tb\\c' }, at }));
    }
    const h = await built(events, 7);
    const incremental = await everything(h.knex);
    const messages = new Set(events.filter((event) => event.type === 'AnalyticsEventReceived').map((event) => `${String(event.data['tenantId'])} ${String(event.data['messageId'])}`));
    expect(incremental['facts']).toHaveLength(messages.size);
    expect(messages.size).toBeLessThan(events.length - 40);
    await replay(h);
    expect(await everything(h.knex)).toEqual(incremental);
  });

  it('stops at an event whose data it cannot store, naming the field', async () => {
    harness = await createProjectionHarness();
    await harness.startEngine([warehouseProjection()]);
    await appendGiven(harness.store, [received('not-a-uuid', 'x-1', { at: '2026-03-10T10:00:00.000Z' })]);
    await eventually('the warehouse stops', async () => {
      const state = await harness!.knex('projections').where({ name: 'warehouse' }).first<{ state: string } | undefined>('state');
      return state?.state === 'failed';
    });
    expect(await harness.knex('projections').where({ name: 'warehouse' }).first('error_message')).toEqual({
      error_message: expect.stringMatching(/AnalyticsEventReceived at position \d+ does not match its schema \(data\.tenantId\)/),
    });
  });
});
