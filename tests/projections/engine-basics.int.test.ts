import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Registry } from 'prom-client';
import { createLogger } from '../../infra/logging/logger.js';
import {
  CheckpointWaiter,
  getProjectionStatuses,
  postgresLogCounter,
  ReadModelTimeoutError,
  streamSummaryProjection,
  UnknownProjectionError,
} from '../../projections/index.js';
import { newEvents } from '../support/events.js';
import { appendSpread, createProjectionHarness, eventually, reachedHead, summaryFromLog, summaryRows, type ProjectionHarness } from '../support/projection-harness.js';

describe('projection engine', () => {
  let harness: ProjectionHarness;
  let waiter: CheckpointWaiter;
  const summary = streamSummaryProjection();
  const rare = streamSummaryProjection({ name: 'rare_summary', streamPrefixes: ['rare-'] });
  const registry = new Registry();

  beforeAll(async () => {
    harness = await createProjectionHarness();
    await harness.startEngine([summary, rare], { registry });
    waiter = new CheckpointWaiter({ knex: harness.knex, connectionString: harness.database.url, projectionNames: ['stream_summary', 'rare_summary'], logger: createLogger('silent'), pollMs: 1_000 });
    await waiter.start();
  });

  afterAll(async () => {
    await waiter.stop();
    await harness.dispose();
  });

  it('builds the read model from the log, queried by its plain name', async () => {
    await appendSpread(harness.store, { count: 2_000, streams: 20 });
    await eventually('the projection reaches the head', () => reachedHead(harness.knex, harness.store, 'stream_summary'));
    expect(await summaryRows(harness.knex)).toEqual(await summaryFromLog(harness.knex));
  });

  it('waitForPosition resolves once the named projections have processed the position', async () => {
    const { position } = await harness.store.appendToStream('item-wait', newEvents(3));
    await waiter.waitForPosition(['stream_summary'], position, 10_000);
    const row = await harness.knex('stream_summary').where({ stream: 'item-wait' }).first<{ event_count: string }>('event_count');
    expect(row.event_count).toBe('3');
  });

  it('waitForPosition advances a projection whose events are rare past the events it does not handle', async () => {
    const { position } = await harness.store.appendToStream('item-unrelated', newEvents(2));
    await waiter.waitForPosition(['rare_summary', 'stream_summary'], position, 10_000);
    expect(await harness.knex('rare_summary').count<{ count: string }[]>('* as count')).toEqual([{ count: '0' }]);
  });

  it('waitForPosition rejects with the typed timeout error, naming the projections behind', async () => {
    const head = (await harness.store.headPosition())!;
    const beyond = head + (1n << 40n);
    const error = await waiter.waitForPosition(['stream_summary'], beyond, 300).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ReadModelTimeoutError);
    expect((error as ReadModelTimeoutError).behind.map((b) => b.projection)).toEqual(['stream_summary']);
    await expect(waiter.waitForPosition(['nope'], head, 100)).rejects.toBeInstanceOf(UnknownProjectionError);
  });

  it('reports status with checkpoint, head, lag and metrics', async () => {
    await eventually('caught up', () => reachedHead(harness.knex, harness.store, 'stream_summary'));
    const statuses = await getProjectionStatuses({ knex: harness.knex, eventStore: harness.store, projections: [summary, rare], counter: postgresLogCounter(harness.knex) });
    const status = statuses.find((s) => s.name === 'stream_summary')!;
    expect(status).toMatchObject({ version: 1, status: 'running', lag: 0, headPosition: String(await harness.store.headPosition()) });
    expect(BigInt(status.checkpoint!)).toBeGreaterThanOrEqual(BigInt(status.headPosition!));
    expect(status.owner).not.toBeNull();
    const metrics = await registry.metrics();
    expect(metrics).toMatch(/chronicle_projection_events_processed_total\{projection="stream_summary"\} 2005/);
    expect(metrics).toMatch(/chronicle_projection_lag_seconds\{projection="stream_summary"\} 0\n/);
    expect(metrics).toMatch(/chronicle_projection_caught_up\{projection="stream_summary"\} 1\n/);
  });
});
