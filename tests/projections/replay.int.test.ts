import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Knex } from 'knex';
import { getProjectionStatuses, getReplayProgress, postgresLogCounter, startReplay, streamSummaryProjection, type ReplayProgress } from '../../projections/index.js';
import { appendSpread, checkpointOf, createProjectionHarness, eventually, reachedHead, summaryFromLog, summaryRows, type ProjectionHarness } from '../support/projection-harness.js';

async function physicalTables(knex: Knex): Promise<string[]> {
  const { rows } = await knex.raw<{ rows: { relname: string }[] }>(`SELECT relname FROM pg_class WHERE relkind = 'r' AND relname LIKE 'stream\\_summary\\_\\_%' ORDER BY relname`);
  return rows.map((row) => row.relname);
}

describe('replay from scratch, blue/green', () => {
  let harness: ProjectionHarness;
  let v1Engine: { stop(): Promise<void> } | undefined;

  beforeAll(async () => {
    harness = await createProjectionHarness();
  });

  afterAll(async () => {
    await harness.dispose();
  });

  it('rebuilds beside the live table, which keeps answering, then swaps in a table equal to the incremental one', async () => {
    const projection = streamSummaryProjection();
    const deps = { knex: harness.knex, eventStore: harness.store, projections: [projection] };
    await appendSpread(harness.store, { count: 30_000, streams: 200, perAppend: 100 });
    // Small replay batches keep the replay running long enough to watch it.
    v1Engine = await harness.startEngine([projection], { settings: { replayBatchEvents: 200 } });
    await eventually('live caught up', () => reachedHead(harness.knex, harness.store, 'stream_summary'), 30_000);
    const incremental = await summaryRows(harness.knex);
    expect(incremental).toEqual(await summaryFromLog(harness.knex));

    const job = await startReplay(deps, 'stream_summary', 'operator@example.com');
    expect(job).toMatchObject({ state: 'pending', generation: 2, requestedBy: 'operator@example.com' });
    expect(await startReplay(deps, 'stream_summary', 'someone else')).toMatchObject({ jobId: job.jobId });

    const seen: ReplayProgress[] = [];
    let answeredDuringReplay = 0;
    await eventually(
      'the replay completes',
      async () => {
        const progress = await getReplayProgress(deps, job.jobId);
        seen.push(progress);
        if (progress.state === 'running') {
          // The live table keeps answering, complete, while the new one is built.
          expect(await summaryRows(harness.knex)).toEqual(incremental);
          answeredDuringReplay++;
        }
        return progress.state === 'completed';
      },
      30_000,
    );
    expect(answeredDuringReplay).toBeGreaterThan(0);
    const running = seen.filter((p) => p.state === 'running' && Number(p.processed) > 0);
    expect(running.length).toBeGreaterThan(0);
    expect(running[0]).toMatchObject({ total: '30000' });
    expect(running[0]!.percent).toBeGreaterThan(0);
    expect(running[0]!.percent).toBeLessThan(100);

    const done = seen[seen.length - 1]!;
    expect(done).toMatchObject({ state: 'completed', processed: '30000', percent: 100 });
    expect(await summaryRows(harness.knex)).toEqual(incremental);
    // The checkpoint moved with the swap, and the old generation is gone.
    expect(await checkpointOf(harness.knex, 'stream_summary')).toBe(BigInt(done.position!));
    expect(await physicalTables(harness.knex)).toEqual(['stream_summary__v1_g2']);

    // Live processing continues on the new generation.
    await appendSpread(harness.store, { count: 500, streams: 10, category: 'after' });
    await eventually('live caught up after the swap', () => reachedHead(harness.knex, harness.store, 'stream_summary'));
    expect(await summaryRows(harness.knex)).toEqual(await summaryFromLog(harness.knex));
    const [status] = await getProjectionStatuses({ ...deps, counter: postgresLogCounter(harness.knex) });
    expect(status).toMatchObject({ name: 'stream_summary', status: 'running', lag: 0 });
  });

  it('a new version is built beside the old one, which serves until the swap', async () => {
    const v2 = streamSummaryProjection({ version: 2 });
    const before = await summaryRows(harness.knex);
    // A rolling deploy: the old worker stops, a worker with the new code takes over.
    await v1Engine?.stop();
    const engine = await harness.startEngine([v2], { ownerId: 'v2' });
    await eventually('version 2 is live', async () => (await harness.knex('projections').where({ name: 'stream_summary' }).first<{ version: number }>('version')).version === 2, 30_000);
    expect(await summaryRows(harness.knex)).toEqual(before);
    expect(await physicalTables(harness.knex)).toEqual(['stream_summary__v2_g3']);
    await engine.stop();
  });
});
