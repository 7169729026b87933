import { ConflictError, PreconditionFailedError } from '../domain/shared/errors.js';
import type { DomainEvent } from '../domain/shared/events.js';
import { WrongExpectedRevisionError } from '../infra/event-store/errors.js';
import type { EventStore, ExpectedRevision, JsonObject, NewEvent, Position } from '../infra/event-store/event-store.js';
import type { Aggregate } from './aggregate.js';
import { loadStream, snapshotIfDue } from './load-stream.js';
import { buildMetadata, type CommandContext } from './metadata.js';
import type { Runtime } from './runtime.js';
import type { SnapshotStore } from './snapshots.js';

export interface CommandOptions {
  context: CommandContext;
  /**
   * The revision the caller last saw (an HTTP If-Match). When given, a
   * concurrent change is the caller's to resolve: PreconditionFailedError,
   * never a retry on state the caller has not seen.
   */
  ifMatch?: bigint;
  /**
   * The events record a fact that holds whatever else the stream received
   * since it was read (a failed login): appended without a revision check,
   * so concurrent writers never conflict. The decider still decides on the
   * state read; no snapshot is taken, since that state may miss events.
   */
  unconditional?: boolean;
}

export interface CommandResult<State, Event> {
  streamId: string;
  /** Revision of the stream's last event after the command; -1n if the stream still does not exist. */
  revision: bigint;
  /** Position of the stream's last event: the one appended, or the last one read when nothing was. */
  position: Position | undefined;
  /** The events this command appended; empty when the decider found nothing to do. */
  events: Event[];
  state: State;
}

export interface CommandHandlerDeps {
  eventStore: EventStore;
  runtime: Runtime;
  /** Attempts in all when concurrent writers keep winning the race; 5 unless told. */
  maxAttempts?: number;
  /** For aggregates with a snapshot policy: loads start from the last snapshot. */
  snapshots?: SnapshotStore;
}

/**
 * The one command handler (STYLE.md habit 4): read → fold → decide → append
 * at the revision read → on a conflict, again on the fresh state, a bounded
 * number of times. Features never write their own append loops.
 */
export class CommandHandler {
  private readonly maxAttempts: number;

  constructor(private readonly deps: CommandHandlerDeps) {
    this.maxAttempts = deps.maxAttempts ?? 5;
  }

  async handle<State, Command, Event extends DomainEvent>(
    aggregate: Aggregate<State, Command, Event>,
    streamId: string,
    command: Command,
    options: CommandOptions,
  ): Promise<CommandResult<State, Event>> {
    for (let attempt = 1; ; attempt++) {
      const loaded = await loadStream(this.deps.eventStore, aggregate, streamId, this.deps.snapshots);
      if (options.ifMatch !== undefined && options.ifMatch !== loaded.revision) {
        throw stale(streamId, options.ifMatch, loaded.revision);
      }
      const events = aggregate.decider.decide(command, loaded.state);
      if (events.length === 0) {
        return { streamId, revision: loaded.revision, position: loaded.position, events, state: loaded.state };
      }
      const expectedRevision: ExpectedRevision = options.unconditional ? 'any' : loaded.revision === -1n ? 'no_stream' : loaded.revision;
      try {
        const appended = await this.deps.eventStore.appendToStream(streamId, this.toNewEvents(aggregate, events, options.context), {
          expectedRevision,
        });
        const state = events.reduce((current, event) => aggregate.decider.evolve(current, event), loaded.state);
        const result = { streamId, revision: appended.nextRevision, position: appended.position, events, state };
        if (this.deps.snapshots && !options.unconditional) await snapshotIfDue(this.deps.snapshots, aggregate, streamId, { ...result, snapshotRevision: loaded.snapshotRevision });
        return result;
      } catch (error) {
        if (!(error instanceof WrongExpectedRevisionError)) throw error;
        if (options.ifMatch !== undefined) throw stale(streamId, options.ifMatch, error.actual);
        if (attempt >= this.maxAttempts) {
          throw new ConflictError(`${aggregate.name} changed concurrently too often; try again`, {
            code: 'concurrency_conflict',
            cause: error,
          });
        }
      }
    }
  }

  private toNewEvents<Event extends DomainEvent>(
    aggregate: Aggregate<unknown, unknown, Event>,
    events: readonly Event[],
    context: CommandContext,
  ): NewEvent[] {
    return events.map((event) => {
      // Parsing on the way out catches a decider that built a payload its own schema rejects.
      const checked = aggregate.eventSchema.parse(event);
      const id = this.deps.runtime.newId();
      return {
        id,
        type: checked.type,
        data: checked.data as JsonObject,
        metadata: buildMetadata(context, id, this.deps.runtime, aggregate.schemaVersion) as JsonObject,
      };
    });
  }
}

/** The caller's If-Match named another revision than the stream's: 412, with both revisions in the details. */
export function stale(streamId: string, expected: bigint, actual: bigint): PreconditionFailedError {
  return new PreconditionFailedError('the resource has changed since it was read', {
    details: [{ stream: streamId, expectedRevision: String(expected), actualRevision: String(actual) }],
  });
}
