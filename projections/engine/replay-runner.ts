import type { Position } from '../../infra/event-store/event-store.js';
import type { ProjectionTables } from '../projection.js';
import { BatchApplier } from './batch-applier.js';
import { Batcher } from './batcher.js';
import { errorMessage, isTransientError, OwnershipLostError } from './errors.js';
import { follow, readsSpans } from './follow.js';
import { claimReplayJob, commitReplayCheckpoint, finishReplayJob, markReplayTablesReady, type ReplayJobRow } from './replay-rows.js';
import { RateMeter } from './rate-meter.js';
import { createKnex } from '../../infra/postgres/knex.js';
import { sleep } from '../../infra/sleep.js';
import { loadSkippedPositions, type RunnerContext } from './runner-context.js';
import { swapInReplay } from './swap.js';
import { ensureSchema, physicalTables, quoteTable } from './table-names.js';

export type ReplayOutcome = 'completed' | 'failed' | 'stopped';

/**
 * Builds the job's generation from the start of the log (or from where a
 * previous owner left it) into its own tables, then swaps it in once caught up.
 * Every batch stores the job's position in its transaction, so a killed
 * replay resumes exactly where it stopped.
 *
 * The tables are filled without their secondary indexes (a bulk load, see
 * SetupOptions), which are built once the replay has caught up; the events
 * appended meanwhile are applied to the indexed tables, and only then does
 * the generation go live.
 */
export async function runReplay(context: RunnerContext, pending: ReplayJobRow, signal: AbortSignal): Promise<ReplayOutcome> {
  const { knex, projection, counter } = context;
  const total = pending.total === undefined ? BigInt(await counter.countAfter(undefined, projection.filter, Number.MAX_SAFE_INTEGER)) : undefined;
  const job = await claimReplayJob(knex, pending.id, total);
  if (!job) return 'stopped';
  const tables = physicalTables(projection, job.version, job.generation);
  if (!job.tablesReady) await createTables(context, job, tables);
  const applier = new BatchApplier({
    knex,
    projection,
    upcasters: context.upcasters,
    tables,
    skipped: await loadSkippedPositions(knex, projection.name),
    rate: new RateMeter(),
    spans: readsSpans(context.store, projection),
    onCommitted: () => undefined,
    target: {
      commit: (trx, previous, through, applied, eventsPerSecond) =>
        commitReplayCheckpoint(trx, { id: job.id, fence: job.fence, previous, through, applied, eventsPerSecond }),
    },
  });
  const loaded = await catchUp(context, applier, job, job.position, signal);
  if (loaded.kind === 'ended') return loaded.outcome;
  await completeTables(context, job, tables, signal);
  const current = await catchUp(context, applier, job, loaded.checkpoint, signal);
  if (current.kind === 'ended') return current.outcome;
  await swapWithRetries(context, job, tables, current.checkpoint, signal);
  return signal.aborted ? 'stopped' : 'completed';
}

type CatchUp = { kind: 'caught-up'; checkpoint: Position | undefined } | { kind: 'ended'; outcome: 'failed' | 'stopped' };

/** Applies the log from the checkpoint until the subscription reaches its head. */
async function catchUp(context: RunnerContext, applier: BatchApplier, job: ReplayJobRow, from: Position | undefined, signal: AbortSignal): Promise<CatchUp> {
  const { knex, store, projection, settings } = context;
  let checkpoint = from;
  const subscription = follow(store, projection, { fromPosition: checkpoint });
  const batcher = new Batcher(subscription, { maxEvents: projection.replayBatchEvents ?? settings.replayBatchEvents, maxDelayMs: settings.batchDelayMs, idleMs: settings.pollMs });
  const stop = (): void => void batcher.close();
  signal.addEventListener('abort', stop, { once: true });
  try {
    while (!signal.aborted) {
      const batch = await batcher.next();
      if (!batch || signal.aborted) return { kind: 'ended', outcome: 'stopped' };
      const outcome = await applier.apply(checkpoint, batch);
      checkpoint = outcome.checkpoint;
      if (outcome.kind === 'failed') {
        await finishReplayJob(knex, job.id, job.fence, 'failed', { position: outcome.event.position, message: errorMessage(outcome.error) });
        return { kind: 'ended', outcome: 'failed' };
      }
      if (batch.caughtUp) return { kind: 'caught-up', checkpoint };
    }
    return { kind: 'ended', outcome: 'stopped' };
  } finally {
    signal.removeEventListener('abort', stop);
    await batcher.close();
  }
}

async function createTables(context: RunnerContext, job: ReplayJobRow, tables: ProjectionTables): Promise<void> {
  await context.knex.transaction(async (trx) => {
    await ensureSchema(trx, context.projection);
    // A previous owner may have died between creating and recording them.
    for (const table of Object.values(tables)) await trx.raw(`DROP TABLE IF EXISTS ${quoteTable(table)}`);
    await context.projection.setup(trx, tables, { bulkLoad: true });
    await markReplayTablesReady(trx, job.id, job.fence);
  });
}

/**
 * What setup left out for the bulk load (secondary indexes), on a connection
 * of its own whose deadline allows for index builds over the whole table.
 * Once per run: it is idempotent, so a resumed replay simply asks again.
 */
async function completeTables(context: RunnerContext, job: ReplayJobRow, tables: ProjectionTables, signal: AbortSignal): Promise<void> {
  const { projection, settings } = context;
  if (!projection.completeSetup) return;
  const builder = createKnex(context.connectionString, 1, context.logger, { statementTimeoutMs: settings.indexBuildTimeoutMs });
  let backend: number | undefined;
  // A stopping worker does not wait for a long build: the server cancels it, and the next owner builds again.
  const cancel = (): void => {
    if (backend !== undefined) void context.knex.raw('SELECT pg_cancel_backend(?)', [backend]).catch(() => undefined);
  };
  signal.addEventListener('abort', cancel, { once: true });
  try {
    await builder.transaction(async (trx) => {
      backend = (await trx.raw<{ rows: Array<{ pid: number }> }>('SELECT pg_backend_pid() AS pid')).rows[0]?.pid;
      // A runner that lost the job, or is stopping, leaves the work to its successor.
      const current = await trx('projection_replays').where({ id: job.id, fence: job.fence, state: 'running' }).first('id');
      if (!current) throw new OwnershipLostError(`replay job ${job.id}: fence ${job.fence} is no longer current`);
      if (signal.aborted) return;
      await projection.completeSetup!(trx, tables);
    });
  } finally {
    signal.removeEventListener('abort', cancel);
    await builder.destroy();
  }
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
