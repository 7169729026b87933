import type { Position } from '../../infra/event-store/event-store.js';
import type { ProjectionTables } from '../projection.js';
import { BatchApplier } from './batch-applier.js';
import { Batcher } from './batcher.js';
import { errorMessage } from './errors.js';
import { follow, readsSpans } from './follow.js';
import type { LiveProgress } from './live-progress.js';
import { commitProjectionCheckpoint, markProjectionFailed, type ProjectionRow } from './projection-rows.js';
import { RateMeter } from './rate-meter.js';
import type { RunnerContext } from './runner-context.js';

export type LiveOutcome = 'stopped' | 'failed';

/**
 * Follows the log from the row's checkpoint into the live tables until
 * stopped, or until an event cannot be applied (then the projection is marked
 * failed at that event). Throws on transient errors and lost ownership.
 */
export async function runLive(
  context: RunnerContext,
  row: ProjectionRow,
  tables: ProjectionTables,
  skipped: ReadonlySet<string>,
  signal: AbortSignal,
  onCheckpoint: (position: Position | undefined) => void,
  progress: LiveProgress,
): Promise<LiveOutcome> {
  const { knex, store, projection, settings } = context;
  const rate = new RateMeter();
  const spans = readsSpans(store, projection);
  const applier = new BatchApplier({
    knex,
    projection,
    upcasters: context.upcasters,
    tables,
    skipped,
    rate,
    spans,
    onCommitted: context.onCommitted,
    target: {
      commit: (trx, previous, through, applied, eventsPerSecond) =>
        commitProjectionCheckpoint(trx, { name: projection.name, fence: row.fence, previous, through, applied, eventsPerSecond }),
    },
  });
  let checkpoint = row.checkpoint;
  onCheckpoint(checkpoint);
  const subscription = follow(store, projection, { fromPosition: checkpoint, readAtMostEveryMs: projection.followEveryMs });
  const batcher = new Batcher(subscription, { maxEvents: projection.batchEvents ?? settings.batchEvents, maxDelayMs: settings.batchDelayMs, idleMs: settings.checkpointIntervalMs });
  progress.follow(batcher);
  const stop = (): void => void batcher.close();
  signal.addEventListener('abort', stop, { once: true });
  let passedOver: Position | undefined;
  let lastWrite = Date.now();
  try {
    while (!signal.aborted) {
      const batch = await batcher.next();
      if (!batch || signal.aborted) return 'stopped';
      progress.taken(batch);
      // A stretch of the log is what a projection reading spans applies: never passed over.
      if (batch.events.length === 0 && !spans) {
        progress.applied(batch);
        // Only filtered-out events (or none) went by: store that rarely, and only
        // when an event really lies past the checkpoint, or idle projections
        // would write for every unrelated transaction that moves the horizon.
        if (batch.through !== undefined && (checkpoint === undefined || batch.through > checkpoint)) passedOver = batch.through;
        if (passedOver === undefined || Date.now() - lastWrite < settings.checkpointIntervalMs) continue;
        const head = await store.headPosition();
        if (head === undefined || (checkpoint !== undefined && head <= checkpoint)) continue;
        batch.through = passedOver;
      }
      const outcome = await applier.apply(checkpoint, batch);
      checkpoint = outcome.checkpoint;
      passedOver = undefined;
      lastWrite = Date.now();
      onCheckpoint(checkpoint);
      if (outcome.kind === 'committed') progress.applied(batch);
      if (outcome.kind === 'failed') {
        progress.unfollow(outcome.event);
        const message = errorMessage(outcome.error);
        context.logger.error({ projection: projection.name, position: String(outcome.event.position), eventType: outcome.event.type, err: message }, 'projection stopped on an event it cannot apply');
        await markProjectionFailed(knex, projection.name, row.fence, outcome.event.position, message);
        return 'failed';
      }
    }
    return 'stopped';
  } finally {
    if (progress.following) progress.unfollow();
    signal.removeEventListener('abort', stop);
    await batcher.close();
  }
}
