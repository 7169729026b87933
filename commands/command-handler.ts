import { setTimeout as sleep } from 'node:timers/promises';
import { ConflictError, PreconditionFailedError } from '../domain/shared/errors.js';
import type { DomainEvent } from '../domain/shared/events.js';
import { DuplicateEventIdError, WrongExpectedRevisionError } from '../infra/event-store/errors.js';
import type { EventStore, ExpectedRevision, JsonObject, NewEvent, Position } from '../infra/event-store/event-store.js';
import type { Upcasters } from '../domain/shared/upcasting.js';
import { StreamQueue } from '../infra/stream-queue.js';
import { schemaVersionOf, type Aggregate } from './aggregate.js';
import { lastFold, loadStream, rememberFold, snapshotIfDue, type LoadedStream } from './load-stream.js';
import { readStreamHistory, type StreamHistory } from './stream-history.js';
import { buildMetadata, type CommandContext } from './metadata.js';
import type { Runtime } from './runtime.js';
import type { RecentFolds } from './recent-folds.js';
import type { SnapshotStore } from './snapshots.js';

export interface CommandOptions {
  /** Actor, tenant, correlation and causation of the events appended: a process reacting to an event sets them from it. */
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
  /**
   * The id of the event at `index` among those the decider returns, instead
   * of a fresh one: for a process reacting to an event (`reactionEventIds`),
   * so that a replay or a second worker appends nothing twice. When an id is
   * already in the stream the command is taken as done: nothing is appended
   * and the result's `events` is empty.
   */
  eventIdFor?: (index: number) => string;
  /**
   * The stream is named after an id this process has just generated (a new
   * post): it cannot exist yet, so it is not read and the command is decided
   * on the empty stream. Should it exist after all, the append (which then
   * expects no stream) fails and the command runs again on the stream as read,
   * as after any conflict.
   */
  newStream?: boolean;
}

export interface CommandResult<State, Event> {
  streamId: string;
  /** Revision of the stream's last event after the command; -1n if the stream still does not exist. */
  revision: bigint;
  /** Position of the stream's last event: the one appended, or the last one read when nothing was. */
  position: Position | undefined;
  /** The events this command appended; empty when the decider found nothing to do (or it was done before). */
  events: Event[];
  state: State;
}

export interface CommandHandlerDeps {
  eventStore: EventStore;
  runtime: Runtime;
  /**
   * How long a command keeps retrying on fresh state while writers in other
   * processes keep winning the race for its stream; 10 s unless told. Bounded
   * by time rather than attempts: a hot stream shared by many processes can
   * need many attempts, each cheap. 0: one attempt.
   */
  retryForMs?: number;
  /** For aggregates with a snapshot policy: loads start from the last snapshot. */
  snapshots?: SnapshotStore;
  /**
   * This process's last fold of each stream it loaded or wrote: commands
   * decide on it without reading the stream (the append's revision check
   * catches a fold another process has overtaken), and loads of snapshotted
   * streams start from it.
   */
  recentFolds?: RecentFolds;
  /** The installation's upcasters: streams are read at their events' current schema versions. */
  upcasters?: Upcasters;
}

const DEFAULT_RETRY_FOR_MS = 10_000;
/** Backoff before retry n: a random pause up to min(CAP, BASE·2^(n-1)) ms ("full jitter"), so racing processes spread out. */
const BACKOFF_BASE_MS = 2;
const BACKOFF_CAP_MS = 100;

/**
 * The one command handler (STYLE.md habit 4): read → fold → decide → append
 * at the revision read → on a conflict, again on the fresh state. Features
 * never write their own append loops.
 *
 * Commands to one stream run one at a time in this process (a queue per
 * stream), so they never race each other; a conflict can only come from
 * another process, and is retried after a jittered pause until `retryForMs`
 * has passed. Without If-Match a concurrent change is never lost.
 */
export class CommandHandler {
  private readonly retryForMs: number;
  private readonly queue = new StreamQueue();
  private readonly appendObservers = new Set<(streamId: string) => void>();

  constructor(private readonly deps: CommandHandlerDeps) {
    this.retryForMs = deps.retryForMs ?? DEFAULT_RETRY_FOR_MS;
  }

  handle<State, Command, Event extends DomainEvent>(
    aggregate: Aggregate<State, Command, Event>,
    streamId: string,
    command: Command,
    options: CommandOptions,
  ): Promise<CommandResult<State, Event>> {
    // Unconditional appends never conflict, so they need no turn: a burst of failed logins stays parallel.
    if (options.unconditional) return this.attempts(aggregate, streamId, command, options);
    return this.queue.run(streamId, () => this.attempts(aggregate, streamId, command, options));
  }

  private async attempts<State, Command, Event extends DomainEvent>(
    aggregate: Aggregate<State, Command, Event>,
    streamId: string,
    command: Command,
    options: CommandOptions,
  ): Promise<CommandResult<State, Event>> {
    const deadline = Date.now() + this.retryForMs;
    for (let attempt = 1; ; attempt++) {
      // Only the first attempt may skip the read; any refusal or conflict on a fold is checked again on the stream as read.
      const fold = attempt === 1 ? this.foldToDecideOn(aggregate, streamId, options) : undefined;
      const loaded = fold ?? (attempt === 1 && options.newStream ? emptyStream(aggregate) : await this.load(aggregate, streamId));
      if (options.ifMatch !== undefined && options.ifMatch !== loaded.revision) {
        if (fold) continue;
        throw stale(streamId, options.ifMatch, loaded.revision);
      }
      let events: Event[];
      try {
        events = aggregate.decider.decide(command, loaded.state);
      } catch (error) {
        if (fold) continue;
        throw error;
      }
      if (events.length === 0) {
        if (fold) continue;
        return unchanged(streamId, loaded);
      }
      const newEvents = this.toNewEvents(aggregate, events, options);
      if (options.eventIdFor && anyRecorded(newEvents, loaded)) return unchanged(streamId, loaded);
      const expectedRevision: ExpectedRevision = options.unconditional ? 'any' : loaded.revision === -1n ? 'no_stream' : loaded.revision;
      try {
        const appended = await this.deps.eventStore.appendToStream(streamId, newEvents, { expectedRevision });
        for (const observer of this.appendObservers) observer(streamId);
        const state = events.reduce((current, event) => aggregate.decider.evolve(current, event), loaded.state);
        const result = { streamId, revision: appended.nextRevision, position: appended.position, events, state };
        // An unconditional append may have landed after events this state has not seen: neither snapshot nor fold is exact.
        if (!options.unconditional) {
          const folded = { ...result, snapshotRevision: loaded.snapshotRevision };
          if (this.deps.snapshots) folded.snapshotRevision = await snapshotIfDue(this.deps.snapshots, aggregate, streamId, folded);
          rememberFold(this.deps.recentFolds, aggregate, streamId, folded);
        }
        return result;
      } catch (error) {
        // An append that failed other than by a conflict may have committed (an answer lost in an outage).
        if (!(error instanceof WrongExpectedRevisionError)) for (const observer of this.appendObservers) observer(streamId);
        if (error instanceof DuplicateEventIdError && options.eventIdFor) {
          return this.alreadyDone(aggregate, streamId, newEvents, error);
        }
        if (!(error instanceof WrongExpectedRevisionError)) throw error;
        if (options.ifMatch !== undefined) throw stale(streamId, options.ifMatch, error.actual);
        // The fold was behind the stream (another process wrote): read it now, no pause needed.
        if (fold) continue;
        const pause = Math.random() * Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** (attempt - 1));
        if (Date.now() + pause >= deadline) {
          throw new ConflictError(`${aggregate.name} changed concurrently too often; try again`, {
            code: 'concurrency_conflict',
            cause: error,
          });
        }
        await sleep(pause);
      }
    }
  }

  /**
   * This process's last fold of the stream, when the command may be decided
   * on it without reading: the append then expects the fold's revision, so a
   * stream changed since by another process refuses it and the command runs
   * again on the stream as read. Not for appends without a revision check
   * (nothing would catch a stale fold) nor for deterministic event ids
   * (their duplicate check looks at the events read).
   */
  private foldToDecideOn<State, Command, Event extends DomainEvent>(
    aggregate: Aggregate<State, Command, Event>,
    streamId: string,
    options: CommandOptions,
  ): LoadedStream<State, Event> | undefined {
    if (options.unconditional || options.eventIdFor || options.newStream) return undefined;
    return lastFold<State, Event>(this.deps.recentFolds, aggregate, streamId);
  }

  /**
   * Tells `observer` of every stream this handler appends to, once the append
   * has committed and before the command's caller hears of it (a cache of a
   * stream's state forgets it in time for the caller's next request).
   */
  observeAppends(observer: (streamId: string) => void): () => void {
    this.appendObservers.add(observer);
    return () => this.appendObservers.delete(observer);
  }

  /** The stream's current state, read as the handler reads it (snapshots, upcasting): for reads that decide nothing. */
  load<State, Command, Event extends DomainEvent>(aggregate: Aggregate<State, Command, Event>, streamId: string): Promise<LoadedStream<State, Event>> {
    return loadStream(this.deps, aggregate, streamId);
  }

  /** Every revision of the stream with the states around it, read as the handler reads (upcasting): time travel and history. */
  history<State, Command, Event extends DomainEvent>(aggregate: Aggregate<State, Command, Event>, streamId: string): Promise<StreamHistory<State, Event>> {
    return readStreamHistory(this.deps, aggregate, streamId);
  }

  /**
   * A deterministic id clashed with one recorded before the last snapshot, or
   * by a racing process: done, if the clash is in this stream. Read whole, since
   * a snapshot may hide it; a clash elsewhere is a real error.
   */
  private async alreadyDone<State, Command, Event extends DomainEvent>(
    aggregate: Aggregate<State, Command, Event>,
    streamId: string,
    newEvents: readonly NewEvent[],
    error: DuplicateEventIdError,
  ): Promise<CommandResult<State, Event>> {
    const recorded = new Set((await this.deps.eventStore.readStream(streamId)).map((event) => event.id.toLowerCase()));
    if (!newEvents.some((event) => recorded.has(event.id.toLowerCase()))) throw error;
    return unchanged(streamId, await this.load(aggregate, streamId));
  }

  private toNewEvents<Event extends DomainEvent>(aggregate: Aggregate<unknown, unknown, Event>, events: readonly Event[], options: CommandOptions): NewEvent[] {
    return events.map((event, index) => {
      // Parsing on the way out catches a decider that built a payload its own schema rejects.
      const checked = aggregate.eventSchema.parse(event);
      const id = options.eventIdFor ? options.eventIdFor(index) : this.deps.runtime.newId();
      return {
        id,
        type: checked.type,
        data: checked.data as JsonObject,
        metadata: buildMetadata(options.context, id, this.deps.runtime, schemaVersionOf(aggregate, checked.type)) as JsonObject,
      };
    });
  }
}

function emptyStream<State, Event extends DomainEvent>(aggregate: Aggregate<State, unknown, Event>): LoadedStream<State, Event> {
  return { state: aggregate.decider.initialState(), events: [], revision: -1n, position: undefined, recorded: [], snapshotRevision: -1n };
}

function unchanged<State, Event>(streamId: string, loaded: LoadedStream<State, Event>): CommandResult<State, Event> {
  return { streamId, revision: loaded.revision, position: loaded.position, events: [], state: loaded.state };
}

function anyRecorded(events: readonly NewEvent[], loaded: LoadedStream<unknown, unknown>): boolean {
  const ids = new Set(events.map((event) => event.id.toLowerCase()));
  return loaded.recorded.some((event) => ids.has(event.id.toLowerCase()));
}

/** The caller's If-Match named another revision than the stream's: 412, with both revisions in the details. */
export function stale(streamId: string, expected: bigint, actual: bigint): PreconditionFailedError {
  return new PreconditionFailedError('the resource has changed since it was read', {
    details: [{ stream: streamId, expectedRevision: String(expected), actualRevision: String(actual) }],
  });
}
