import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startReplay, getReplayProgress, streamSummaryProjection } from '../../projections/index.js';
import { spawnProjectionWorker } from '../support/child-worker.js';
import { appendSpread, createProjectionHarness, eventually, reachedHead, summaryFromLog, summaryRows, type ProjectionHarness } from '../support/projection-harness.js';
import { killTsxChildren } from '../support/tsx-child.js';

async function eventsProcessed(harness: ProjectionHarness): Promise<number> {
  const row = await harness.knex('projections').where({ name: 'stream_summary' }).first<{ events_processed: string } | undefined>('events_processed');
  return Number(row?.events_processed ?? 0);
}

describe('exactly-once under SIGKILL', () => {
  let harness: ProjectionHarness;

  beforeAll(async () => {
    harness = await createProjectionHarness();
  });

  afterAll(async () => {
    await killTsxChildren();
    await harness.dispose();
  });

  it('a worker killed mid-batch again and again loses and doubles nothing, and a replay agrees', async () => {
    await appendSpread(harness.store, { count: 18_000, streams: 100 });
    const kills = 7;
    for (let kill = 0; kill < kills; kill++) {
      const before = await eventsProcessed(harness);
      const worker = spawnProjectionWorker(harness.database.url, { WORKER_BATCH_EVENTS: '50' });
      // Progress by a varying amount, so the kills land at different points of a batch.
      const target = before + 1_000 + ((kill * 379) % 1_200);
      await eventually(`worker ${kill} processed past ${target}`, async () => (await eventsProcessed(harness)) >= target || (await reachedHead(harness.knex, harness.store, 'stream_summary')));
      await worker.kill('SIGKILL');
      // Some events arrive while no worker runs, others while one does.
      if (kill === 3) await appendSpread(harness.store, { count: 2_000, streams: 40, category: 'late' });
    }
    const last = spawnProjectionWorker(harness.database.url, { WORKER_BATCH_EVENTS: '50' });
    await eventually('the last worker reaches the head', () => reachedHead(harness.knex, harness.store, 'stream_summary'), 30_000);
    await last.kill('SIGTERM');

    const incremental = await summaryRows(harness.knex);
    expect(incremental).toEqual(await summaryFromLog(harness.knex));
    expect(incremental).toHaveLength(140);

    // A fresh replay from scratch must build exactly the same table.
    const projection = streamSummaryProjection();
    await harness.startEngine([projection]);
    const deps = { knex: harness.knex, eventStore: harness.store, projections: [projection] };
    const job = await startReplay(deps, 'stream_summary', 'test');
    await eventually('the replay completes', async () => (await getReplayProgress(deps, job.jobId)).state === 'completed', 30_000);
    expect(await summaryRows(harness.knex)).toEqual(incremental);
    // Eight worker processes start through tsx, a few seconds each on a busy machine.
  }, 120_000);
});
