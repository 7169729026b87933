import { placeAsOf, type AsOf } from '../domain/audit/as-of.js';
import type { DomainEvent } from '../domain/shared/events.js';
import type { RecordedEvent } from '../infra/event-store/event-store.js';
import { upcastEvent } from '../infra/event-store/upcast-event.js';
import type { Aggregate } from './aggregate.js';
import { decodeEvent, type StreamSource } from './load-stream.js';

/** One event of a stream with the states around it, as the aggregate's own evolve folds them. */
export interface HistoryStep<State, Event> {
  /** As read from the store, upcast to the event's current schema version. */
  recorded: RecordedEvent;
  event: Event;
  /** The state before this event (the initial state for the first). */
  before: State;
  /** The state after it: the resource as of this revision. */
  after: State;
  /** `metadata.occurredAt`, or the time the store recorded it for an event appended without one. */
  occurredAt: Date;
}

export interface StreamHistory<State, Event> {
  streamId: string;
  /** In revision order, from revision 0. */
  steps: ReadonlyArray<HistoryStep<State, Event>>;
  /** After the last event; the initial state when the stream has none. */
  current: State;
}

/** Where a point in time or a revision falls in a stream's history. */
export type StateAsOf<State, Event> =
  | { kind: 'before_first' }
  | { kind: 'beyond_head'; head: bigint }
  | { kind: 'at'; step: HistoryStep<State, Event> };

/**
 * Time travel for any aggregate: reads the whole stream, upcasts each event,
 * decodes it with the aggregate's schemas and folds it with the aggregate's
 * own `evolve`, keeping every intermediate state. Nothing here knows a
 * feature: an aggregate a feature adds gets its history and its `asOf` reads
 * from this, with the rules its command handler folds by (no snapshot is
 * used, since a snapshot only holds the state at one revision).
 *
 * Cost: one read of the whole stream and one state kept per event, so it
 * suits streams of a resource's edits (posts, collections), not streams that
 * grow without bound (a user's logins).
 */
export async function readStreamHistory<State, Command, Event extends DomainEvent>(
  { eventStore, upcasters }: Pick<StreamSource, 'eventStore' | 'upcasters'>,
  aggregate: Aggregate<State, Command, Event>,
  streamId: string,
): Promise<StreamHistory<State, Event>> {
  const read = await eventStore.readStream(streamId);
  const steps: Array<HistoryStep<State, Event>> = [];
  let state = aggregate.decider.initialState();
  for (const stored of read) {
    const recorded = upcasters ? upcastEvent(stored, upcasters) : stored;
    const event = decodeEvent(aggregate, streamId, recorded);
    const after = aggregate.decider.evolve(state, event);
    steps.push({ recorded, event, before: state, after, occurredAt: occurredAtOf(recorded) });
    state = after;
  }
  return { streamId, steps, current: state };
}

/** The state the stream was in at a revision or a moment (domain/audit/as-of.ts says how a moment is placed). */
export function stateAsOf<State, Event>(history: StreamHistory<State, Event>, asOf: AsOf): StateAsOf<State, Event> {
  const place = placeAsOf(
    history.steps.map((step) => ({ revision: step.recorded.revision, occurredAt: step.occurredAt })),
    asOf,
  );
  if (place.kind !== 'at') return place;
  const step = history.steps[place.index];
  // placeAsOf answers an index of the list it was given.
  if (!step) throw new RangeError(`no step ${place.index} in ${history.streamId}`);
  return { kind: 'at', step };
}

function occurredAtOf(event: RecordedEvent): Date {
  const stated = event.metadata.occurredAt;
  const at = typeof stated === 'string' ? new Date(stated) : undefined;
  return at && !Number.isNaN(at.getTime()) ? at : event.recordedAt;
}
