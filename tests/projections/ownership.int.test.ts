import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { getProjectionStatuses, postgresLogCounter, streamSummaryProjection } from '../../projections/index.js';
import { spawnProjectionWorker } from '../support/child-worker.js';
import { appendSpread, createProjectionHarness, eventually, reachedHead, summaryFromLog, summaryRows, type ProjectionHarness } from '../support/projection-harness.js';
import { killTsxChildren } from '../support/tsx-child.js';

describe('ownership across worker processes', () => {
  let harness: ProjectionHarness;
  const projection = streamSummaryProjection();

  beforeAll(async () => {
    harness = await createProjectionHarness();
  });

  afterAll(async () => {
    await killTsxChildren();
    await harness.dispose();
  });

  async function owner(): Promise<string | null> {
    const [status] = await getProjectionStatuses({ knex: harness.knex, eventStore: harness.store, projections: [projection], counter: postgresLogCounter(harness.knex) });
    return status!.owner;
  }

  it('two workers at once apply every event exactly once; when the owner is killed the other takes over', async () => {
    const child = spawnProjectionWorker(harness.database.url);
    await appendSpread(harness.store, { count: 1_000, streams: 10 });
    await eventually('the child worker owns the projection', async () => (await owner()) === `child-${child.pid}`);

    const local = await harness.startEngine([projection], { ownerId: 'local' });
    await appendSpread(harness.store, { count: 3_000, streams: 30 });
    await eventually('caught up with two workers running', () => reachedHead(harness.knex, harness.store, 'stream_summary'));
    expect(local.ownedProjections()).toEqual([]);
    expect(await summaryRows(harness.knex)).toEqual(await summaryFromLog(harness.knex));

    await child.kill('SIGKILL');
    await appendSpread(harness.store, { count: 2_000, streams: 30, category: 'after' });
    await eventually('the surviving worker took over', async () => (await owner()) === 'local', 10_000);
    await eventually('the survivor caught up', () => reachedHead(harness.knex, harness.store, 'stream_summary'), 10_000);
    expect(local.ownedProjections()).toEqual(['stream_summary']);
    expect(await summaryRows(harness.knex)).toEqual(await summaryFromLog(harness.knex));
  });
});
