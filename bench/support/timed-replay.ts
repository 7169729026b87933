import type { EventStore } from '../../infra/event-store/event-store.js';
import { getReplayProgress, ProjectionEngine, startReplay } from '../../projections/index.js';

type EngineOptions = Omit<ConstructorParameters<typeof ProjectionEngine>[0], 'eventStore'>;

/**
 * Times a replay from scratch of the engine's one projection, as after a
 * deploy: its live generation is created on an empty log, `loadLog` fills
 * the log, the live runner is parked at the head, and only the replay reads
 * the events. Answers the replay's seconds, from its start to completed; a
 * failed replay never completes, so it stops the bench with its reason.
 *
 * Each engine has a store of its own, as two processes would (before and
 * after the deploy): a store's shared log tail starts where the log ends when
 * first read, so one kept from the empty log would make the parked live
 * runner read every loaded event once more, unfiltered, beside the replay.
 */
export async function timeReplayFromScratch(
  engineOptions: EngineOptions,
  connectStore: () => Promise<EventStore>,
  loadLog: () => Promise<void>,
  /** Wraps the timed part alone (a probe's CPU counters and profile). */
  around: (replay: () => Promise<number>) => Promise<number> = (replay) => replay(),
): Promise<number> {
  const { knex, projections } = engineOptions;
  const projection = projections[0]!;
  const before = await connectStore();
  try {
    const first = new ProjectionEngine({ ...engineOptions, eventStore: before });
    await first.start();
    await waitFor(async () => (await knex('projections').where({ name: projection.name, generation: 1 }).first()) !== undefined);
    await first.stop();
  } finally {
    await before.close();
  }
  await loadLog();

  const eventStore = await connectStore();
  await knex('projections').where({ name: projection.name }).update({ position: String(await eventStore.headPosition()) });
  const engine = new ProjectionEngine({ ...engineOptions, eventStore });
  try {
    await engine.start();
    const deps = { knex, eventStore, projections: [projection] };
    return await around(async () => {
      const started = performance.now();
      const job = await startReplay(deps, projection.name, 'bench');
      await waitFor(async () => {
        const progress = await getReplayProgress(deps, job.jobId);
        if (progress.state === 'failed') throw new Error(`${projection.name} replay failed: ${progress.error?.message ?? 'no reason given'}`);
        return progress.state === 'completed';
      }, 10);
      return (performance.now() - started) / 1000;
    });
  } finally {
    await engine.stop();
    await eventStore.close();
  }
}

async function waitFor(check: () => Promise<boolean>, intervalMs = 50): Promise<void> {
  while (!(await check())) await new Promise((resolve) => setTimeout(resolve, intervalMs));
}
