import type { Knex } from 'knex';
import type { Upcasters } from '../../domain/shared/upcasting.js';
import type { Position, RecordedEvent } from '../../infra/event-store/event-store.js';
import { upcastEvents } from '../../infra/event-store/upcast-event.js';
import type { AnyProjection, ProjectionTables } from '../projection.js';
import type { Batch } from './batcher.js';
import { isTransientError } from './errors.js';
import type { RateMeter } from './rate-meter.js';

/** Where a batch's checkpoint goes: the live projection's row or a replay job's row. */
export interface CheckpointTarget {
  /** Inside the batch's transaction; throws OwnershipLostError when the fence moved. */
  commit(trx: Knex.Transaction, previous: Position | undefined, through: Position, applied: number, eventsPerSecond: number): Promise<void>;
}

export type ApplyOutcome =
  | { kind: 'committed'; checkpoint: Position | undefined }
  /** The events before the poison one are committed; `checkpoint` is where they left it. */
  | { kind: 'failed'; event: RecordedEvent; error: unknown; checkpoint: Position | undefined };

export interface BatchApplierOptions {
  knex: Knex;
  projection: AnyProjection;
  /** Events reach apply at their current schema versions. */
  upcasters: Upcasters;
  tables: ProjectionTables;
  /** Positions (as strings) an operator chose to skip. */
  skipped: ReadonlySet<string>;
  target: CheckpointTarget;
  rate: RateMeter;
  /** Batches are stretches of the log, without their events, for the projection's applySpan (follow.ts). */
  spans: boolean;
  onCommitted(applied: number): void;
}

/**
 * Applies a batch and its checkpoint in one transaction. When apply throws,
 * the batch is re-applied one event per transaction to find the exact
 * failing event; the ones before it are kept, so nothing is done twice and
 * the status names the culprit.
 */
export class BatchApplier {
  constructor(private readonly options: BatchApplierOptions) {}

  async apply(previous: Position | undefined, batch: Batch): Promise<ApplyOutcome> {
    if (batch.through === undefined || (previous !== undefined && batch.through <= previous)) return { kind: 'committed', checkpoint: previous };
    const wanted = batch.events.filter((event) => !this.options.skipped.has(String(event.position)));
    try {
      await this.transact(wanted, previous, batch.through, batch.events.length);
      return { kind: 'committed', checkpoint: batch.through };
    } catch (error) {
      if (isTransientError(error) || wanted.length === 0) throw error;
    }
    let checkpoint = previous;
    for (const event of wanted) {
      try {
        await this.transact([event], checkpoint, event.position, 1);
        checkpoint = event.position;
      } catch (error) {
        if (isTransientError(error)) throw error;
        return { kind: 'failed', event, error, checkpoint };
      }
    }
    // Each event alone went through: the batch failed for a reason that did not repeat.
    await this.transact([], checkpoint, batch.through, 0);
    return { kind: 'committed', checkpoint: batch.through };
  }

  private async transact(events: readonly RecordedEvent[], previous: Position | undefined, through: Position, read: number): Promise<void> {
    const { knex, projection, upcasters, tables, target, rate, spans } = this.options;
    const current = projection.storedEvents ? events : upcastEvents(events, upcasters);
    const applied = await knex.transaction(async (trx) => {
      let count = events.length;
      if (spans) count = await projection.applySpan!({ after: previous, through }, trx, tables);
      else if (current.length > 0) await projection.apply(current, trx, tables);
      await target.commit(trx, previous, through, count, rate.perSecond(spans ? count : read));
      return count;
    });
    rate.record(spans ? applied : read);
    if (applied > 0) this.options.onCommitted(applied);
  }
}
