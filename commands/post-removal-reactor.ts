import type { Knex } from 'knex';
import { collectionStream } from '../domain/collection/streams.js';
import { SYSTEM_ACTOR } from '../domain/shared/metadata.js';
import type { Logger } from '../infra/logging/logger.js';
import { REMOVALS_DUE, type RemovalDueRow } from '../projections/collections/post-removals-due.js';
import { collectionAggregate } from './collection-aggregate.js';
import type { CommandHandler } from './command-handler.js';
import { reactionEventIds } from './event-ids.js';

export interface PostRemovalReactorOptions {
  knex: Knex;
  commands: CommandHandler;
  logger: Logger;
  /** How often the removals due are looked at; 1 s unless told. */
  intervalMs?: number;
  /** Rows taken per look. */
  batchSize?: number;
}

/**
 * Appends the removals the post_removals projection found due: one
 * PostRemovedFromCollection per collection that held a deleted post, with
 * the deletion's correlation id, the deletion event as causation and an id
 * derived from both (reactionEventIds). Killed after an append and before
 * its row went, it appends nothing again: the id is in the stream, or the
 * decider finds the post gone. Several workers may run it at once for the
 * same reason. A row goes when the projection reads the removal.
 */
export class PostRemovalReactor {
  readonly name = 'post-removal-reactor';
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> = Promise.resolve();
  private stopped = true;
  private stopping = false;
  /** Rows already handled whose removal the projection has not read yet: not handled again meanwhile. */
  private handled = new Set<string>();

  constructor(private readonly options: PostRemovalReactorOptions) {}

  async start(): Promise<void> {
    this.stopped = false;
    this.stopping = false;
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.stopping = true;
    clearTimeout(this.timer);
    await this.running;
  }

  /**
   * One look at the removals due; what tests and the loop call. Returns how
   * many it appended. A removal that fails is tried again on the next look,
   * after the others: one bad stream holds nobody else's removals back.
   */
  async runOnce(): Promise<number> {
    const rows = await this.due();
    const keys = new Set(rows.map(keyOf));
    this.handled = new Set([...this.handled].filter((key) => keys.has(key)));
    let appended = 0;
    const failures: Array<{ collectionId: string; postId: string; error: string }> = [];
    for (const row of rows) {
      if (this.stopping) break;
      if (this.handled.has(keyOf(row))) continue;
      try {
        appended += await this.remove(row);
        this.handled.add(keyOf(row));
      } catch (error) {
        failures.push({ collectionId: row.collection_id, postId: row.post_id, error: error instanceof Error ? error.message : String(error) });
      }
    }
    if (failures.length > 0) this.options.logger.warn({ failed: failures.length, first: failures[0] }, 'removing deleted posts from collections failed; retrying');
    return appended;
  }

  private schedule(delayMs: number): void {
    this.timer = setTimeout(() => {
      this.running = this.runOnce()
        .then(() => undefined)
        .catch((error: unknown) => this.options.logger.warn({ err: error instanceof Error ? error.message : String(error) }, 'removing deleted posts from collections failed; retrying'))
        .finally(() => {
          if (!this.stopped) this.schedule(this.options.intervalMs ?? 1_000);
        });
    }, delayMs);
  }

  private async due(): Promise<RemovalDueRow[]> {
    try {
      return await this.options.knex(REMOVALS_DUE).select('*').orderBy([{ column: 'due_position' }, { column: 'collection_id' }]).limit(this.options.batchSize ?? 100);
    } catch (error) {
      // The projection's tables are built by a worker; until then there is nothing due.
      if ((error as { code?: unknown } | null)?.code === '42P01') return [];
      throw error;
    }
  }

  private async remove(row: RemovalDueRow): Promise<number> {
    const result = await this.options.commands.handle(
      collectionAggregate,
      collectionStream(row.collection_id),
      { type: 'RemoveDeletedPost', data: { postId: row.post_id } },
      {
        context: {
          actor: SYSTEM_ACTOR,
          tenantId: row.tenant_id,
          correlationId: row.correlation_id,
          causationId: row.deletion_event_id,
          requestId: null,
        },
        eventIdFor: reactionEventIds(row.deletion_event_id, row.reaction_key),
      },
    );
    return result.events.length;
  }
}

function keyOf(row: RemovalDueRow): string {
  return `${row.collection_id}/${row.post_id}/${row.reaction_key}`;
}
