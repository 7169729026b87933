import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { getReplayProgress, startReplay, streamSummaryProjection, type AnyProjection } from '../../projections/index.js';
import { appendSpread, createProjectionHarness, eventually, reachedHead, type ProjectionHarness } from '../support/projection-harness.js';

describe('replay progress', () => {
  let harness: ProjectionHarness;
  beforeAll(async () => {
    harness = await createProjectionHarness();
  });
  afterAll(async () => {
    await harness.dispose();
  });

  it('shows events/s and an ETA while running, and the whole run\'s events/s once completed', async () => {
    await appendSpread(harness.store, { count: 3_000, streams: 20 });
    const summary = streamSummaryProjection();
    // The replay's third batch waits here, so the test can look at a replay in the middle of its run.
    let replayBatches = 0;
    let atGate!: () => void;
    let release!: () => void;
    const reachedGate = new Promise<void>((resolve) => (atGate = resolve));
    const released = new Promise<void>((resolve) => (release = resolve));
    const gated: AnyProjection = {
      ...summary,
      async apply(events, trx, tables) {
        const replaying = Object.values(tables).some((table) => !table.endsWith('_g1'));
        if (replaying && ++replayBatches === 3) {
          atGate();
          await released;
        }
        await summary.apply(events, trx, tables);
      },
    };
    await harness.startEngine([gated], { settings: { replayBatchEvents: 500 } });
    await eventually('live caught up', () => reachedHead(harness.knex, harness.store, 'stream_summary'));
    const deps = { knex: harness.knex, eventStore: harness.store, projections: [gated] };
    const job = await startReplay(deps, 'stream_summary', 'operator@example.com');

    await reachedGate;
    const running = await getReplayProgress(deps, job.jobId);
    release();
    expect(running).toMatchObject({ state: 'running', processed: '1000', total: '3000' });
    expect(running.eventsPerSecond).toBeGreaterThan(0);
    expect(running.etaSeconds).toBeGreaterThan(0);

    await eventually('the replay completes', async () => (await getReplayProgress(deps, job.jobId)).state === 'completed');
    const done = await getReplayProgress(deps, job.jobId);
    expect(done).toMatchObject({ processed: '3000', percent: 100, etaSeconds: 0 });
    expect(done.eventsPerSecond).toBeGreaterThan(0);
  });
});
