import { getReplayProgress, ProjectionEngine, startReplay } from '../../projections/index.js';

type EngineOptions = ConstructorParameters<typeof ProjectionEngine>[0];

/**
 * Times a replay from scratch of the engine's one projection, as after a
 * deploy: its live generation is created on an empty log, `loadLog` fills
 * the log, the live runner is parked at the head, and only the replay reads
 * the events. Answers the replay's seconds, from its start to completed; a
 * failed replay never completes, so it stops the bench with its reason.
 */
export async function timeReplayFromScratch(engineOptions: EngineOptions, loadLog: () => Promise<void>): Promise<number> {
  const { knex, eventStore, projections } = engineOptions;
  const projection = projections[0]!;
  const first = new ProjectionEngine(engineOptions);
  await first.start();
  await waitFor(async () => (await knex('projections').where({ name: projection.name, generation: 1 }).first()) !== undefined);
  await first.stop();
  await loadLog();
  await knex('projections').where({ name: projection.name }).update({ position: String(await eventStore.headPosition()) });

  const engine = new ProjectionEngine(engineOptions);
  await engine.start();
  try {
    const deps = { knex, eventStore, projections: [projection] };
    const started = performance.now();
    const job = await startReplay(deps, projection.name, 'bench');
    await waitFor(async () => {
      const progress = await getReplayProgress(deps, job.jobId);
      if (progress.state === 'failed') throw new Error(`${projection.name} replay failed: ${progress.error?.message ?? 'no reason given'}`);
      return progress.state === 'completed';
    }, 10);
    return (performance.now() - started) / 1000;
  } finally {
    await engine.stop();
  }
}

async function waitFor(check: () => Promise<boolean>, intervalMs = 50): Promise<void> {
  while (!(await check())) await new Promise((resolve) => setTimeout(resolve, intervalMs));
}
