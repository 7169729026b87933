import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { RecordedEvent } from '../../infra/event-store/event-store.js';
import {
  getProjectionStatuses,
  getReplayProgress,
  listSkips,
  postgresLogCounter,
  ProjectionNotFailedError,
  retryProjection,
  skipEvent,
  startReplay,
  streamSummaryProjection,
  type ProjectionStatus,
} from '../../projections/index.js';
import { newEvent } from '../support/events.js';
import { appendSpread, createProjectionHarness, eventually, reachedHead, summaryRows, type ProjectionHarness } from '../support/projection-harness.js';

describe('an event a projection cannot apply', () => {
  let harness: ProjectionHarness;
  const fixed = new Set<string>();
  const poisoned = streamSummaryProjection({
    name: 'poisoned',
    check: (event: RecordedEvent) => {
      const poison = event.data.poison;
      if (typeof poison === 'string' && !fixed.has(poison)) throw new Error(`cannot apply poison ${poison}`);
    },
  });
  const healthy = streamSummaryProjection({ name: 'healthy' });
  const projections = [poisoned, healthy];

  beforeAll(async () => {
    harness = await createProjectionHarness();
  });

  afterAll(async () => {
    await harness.dispose();
  });

  const deps = () => ({ knex: harness.knex, eventStore: harness.store, projections, counter: postgresLogCounter(harness.knex) });
  const statusOf = async (name: string): Promise<ProjectionStatus> => (await getProjectionStatuses(deps())).find((s) => s.name === name)!;
  const countIn = async (table: string): Promise<number> =>
    Number((await harness.knex(table).sum<{ total: string | null }[]>('event_count as total'))[0]?.total ?? 0);

  it('stops only that projection at the exact event; retry after a fix resumes; skip is recorded and moves on', async () => {
    await appendSpread(harness.store, { count: 300, streams: 5 });
    const poisonA = await harness.store.appendToStream('item-a', [newEvent('ItemChanged', { poison: 'A' })]);
    await appendSpread(harness.store, { count: 300, streams: 5, category: 'more' });
    let engine = await harness.startEngine(projections, { settings: { batchEvents: 1_000 } });

    await eventually('poisoned has failed', async () => (await statusOf('poisoned')).status === 'failed');
    const failed = await statusOf('poisoned');
    expect(failed.lastError).toMatchObject({ position: String(poisonA.position), message: 'cannot apply poison A' });
    // The events before the poison one, in the same batch, were kept: exactly 300.
    expect(await countIn('poisoned')).toBe(300);
    expect(BigInt(failed.checkpoint!)).toBeLessThan(poisonA.position);
    await eventually('healthy continues', () => reachedHead(harness.knex, harness.store, 'healthy'));
    expect(await countIn('healthy')).toBe(601);

    // Retry without a fix: it stops again at the same event, with a fresh error time.
    await retryProjection(deps(), 'poisoned');
    await eventually('failed again', async () => {
      const status = await statusOf('poisoned');
      return status.status === 'failed' && status.lastError!.at !== failed.lastError!.at;
    });
    expect((await statusOf('poisoned')).lastError?.position).toBe(String(poisonA.position));

    // The fix is deployed: a restarted worker resumes from the checkpoint.
    fixed.add('A');
    await engine.stop();
    engine = await harness.startEngine(projections, { settings: { batchEvents: 1_000 } });
    await eventually('poisoned recovered', () => reachedHead(harness.knex, harness.store, 'poisoned'));
    expect(await countIn('poisoned')).toBe(601);
    expect((await statusOf('poisoned')).status).toBe('running');
    await expect(retryProjection(deps(), 'poisoned')).rejects.toBeInstanceOf(ProjectionNotFailedError);

    // An event nobody will fix: the operator skips it, explicitly and on the record.
    const poisonB = await harness.store.appendToStream('item-b', [newEvent('ItemChanged', { poison: 'B' })]);
    await harness.store.appendToStream('item-c', [newEvent('ItemChanged', {})]);
    await eventually('stopped at B', async () => (await statusOf('poisoned')).lastError?.position === String(poisonB.position));
    await expect(skipEvent(deps(), 'poisoned', { position: poisonB.position - 1n, skippedBy: 'op', reason: 'wrong' })).rejects.toBeInstanceOf(ProjectionNotFailedError);
    const skip = await skipEvent(deps(), 'poisoned', { position: poisonB.position, skippedBy: 'operator@example.com', reason: 'malformed import, see ticket 42' });
    expect(skip).toMatchObject({ projection: 'poisoned', position: String(poisonB.position), stream: 'item-b', eventType: 'ItemChanged', skippedBy: 'operator@example.com', errorMessage: 'cannot apply poison B' });
    await eventually('moved past the skipped event', () => reachedHead(harness.knex, harness.store, 'poisoned'));
    expect(await countIn('poisoned')).toBe(602);
    expect(await harness.knex('poisoned').where({ stream: 'item-b' }).first()).toBeUndefined();
    expect(await listSkips(deps(), 'poisoned')).toEqual([skip]);

    // A replay honours the recorded skip, so it rebuilds the same table.
    const incremental = await summaryRows(harness.knex, 'poisoned');
    const job = await startReplay(deps(), 'poisoned', 'test');
    await eventually('replay completed', async () => (await getReplayProgress(deps(), job.jobId)).state === 'completed');
    expect(await summaryRows(harness.knex, 'poisoned')).toEqual(incremental);
    await engine.stop();
  });
});
