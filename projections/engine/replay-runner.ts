import type { Position } from '../../infra/event-store/event-store.js';
import type { ProjectionTables } from '../projection.js';
import { BatchApplier } from './batch-applier.js';
import { Batcher } from './batcher.js';
import { errorMessage, isTransientError, OwnershipLostError } from './errors.js';
import { claimReplayJob, commitReplayCheckpoint, finishReplayJob, markReplayTablesReady, type ReplayJobRow } from './replay-rows.js';
import { RateMeter } from './rate-meter.js';
import { sleep } from '../../infra/sleep.js';
import { loadSkippedPositions, type RunnerContext } from './runner-context.js';
import { swapInReplay } from './swap.js';
import { physicalTables } from './table-names.js';

export type ReplayOutcome = 'completed' | 'failed' | 'stopped';

/**
 * Builds the job's generation from the start of the log (or from where a
 * previous owner left it) into its own tables, then swaps it in once caught up.
 * Every batch stores the job's position in its transaction, so a killed
 * replay resumes exactly where it stopped.
 */
export async function runReplay(context: RunnerContext, pending: ReplayJobRow, signal: AbortSignal): Promise<ReplayOutcome> {
  const { knex, store, projection, settings, counter } = context;
  const total = pending.total === undefined ? BigInt(await counter.countAfter(undefined, projection.filter, Number.MAX_SAFE_INTEGER)) : undefined;
  const job = await claimReplayJob(knex, pending.id, total);
  if (!job) return 'stopped';
  const tables = physicalTables(projection, job.version, job.generation);
  if (!job.tablesReady) await createTables(context, job, tables);
  const rate = new RateMeter();
  const applier = new BatchApplier({
    knex,
    projection,
    upcasters: context.upcasters,
    tables,
    skipped: await loadSkippedPositions(knex, projection.name),
    rate,
    onCommitted: () => undefined,
    target: {
      commit: (trx, previous, through, applied, eventsPerSecond) =>
        commitReplayCheckpoint(trx, { id: job.id, fence: job.fence, previous, through, applied, eventsPerSecond }),
    },
  });
  let checkpoint = job.position;
  const subscription = store.subscribeToAll({ ...(checkpoint === undefined ? {} : { fromPosition: checkpoint }), filter: projection.filter });
  const batcher = new Batcher(subscription, { maxEvents: settings.replayBatchEvents, maxDelayMs: settings.batchDelayMs, idleMs: settings.pollMs });
  const stop = (): void => void batcher.close();
  signal.addEventListener('abort', stop, { once: true });
  try {
    while (!signal.aborted) {
      const batch = await batcher.next();
      if (!batch || signal.aborted) return 'stopped';
      const outcome = await applier.apply(checkpoint, batch);
      checkpoint = outcome.checkpoint;
      if (outcome.kind === 'failed') {
        await finishReplayJob(knex, job.id, job.fence, 'failed', { position: outcome.event.position, message: errorMessage(outcome.error) });
        return 'failed';
      }
      if (batch.caughtUp) {
        await batcher.close();
        await swapWithRetries(context, job, tables, checkpoint, signal);
        return signal.aborted ? 'stopped' : 'completed';
      }
    }
    return 'stopped';
  } finally {
    signal.removeEventListener('abort', stop);
    await batcher.close();
  }
}

async function createTables(context: RunnerContext, job: ReplayJobRow, tables: ProjectionTables): Promise<void> {
  await context.knex.transaction(async (trx) => {
    // A previous owner may have died between creating and recording them.
    for (const table of Object.values(tables)) await trx.raw(`DROP TABLE IF EXISTS "${table}"`);
    await context.projection.setup(trx, tables);
    await markReplayTablesReady(trx, job.id, job.fence);
  });
}

async function swapWithRetries(context: RunnerContext, job: ReplayJobRow, tables: ProjectionTables, through: Position | undefined, signal: AbortSignal): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await swapInReplay(context.knex, context.projection, job, tables, through);
      return;
    } catch (error) {
      // Long queries on the old tables can hold the swap's locks: wait and try again.
      if (error instanceof OwnershipLostError || !isTransientError(error) || attempt >= 20 || signal.aborted) throw error;
      context.logger.warn({ projection: context.projection.name, attempt, err: errorMessage(error) }, 'replay swap waits for locks');
      await sleep(Math.min(200 * attempt, 2_000), signal);
    }
  }
}
