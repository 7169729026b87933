import type { DomainEvent } from '../domain/shared/events.js';
import type { EventStore, Position, RecordedEvent } from '../infra/event-store/event-store.js';
import type { Aggregate } from './aggregate.js';

export interface LoadedStream<State, Event> {
  state: State;
  events: Event[];
  /** Revision of the last event; -1n when the stream does not exist. */
  revision: bigint;
  /** Log position of the stream's last event. */
  position: Position | undefined;
  recorded: RecordedEvent[];
}

export class CorruptStreamError extends Error {
  override readonly name = 'CorruptStreamError';
  constructor(readonly stream: string, readonly revision: bigint, readonly type: string) {
    super(`stream ${stream}: event at revision ${revision} (${type}) does not match its schema`);
  }
}

/** Reads a stream, validates each event against the aggregate's schemas and folds it. */
export async function loadStream<State, Command, Event extends DomainEvent>(
  eventStore: EventStore,
  aggregate: Aggregate<State, Command, Event>,
  streamId: string,
): Promise<LoadedStream<State, Event>> {
  const recorded = await eventStore.readStream(streamId);
  const events = recorded.map((event) => {
    const parsed = aggregate.eventSchema.safeParse({ type: event.type, data: event.data });
    if (!parsed.success) throw new CorruptStreamError(streamId, event.revision, event.type);
    return parsed.data;
  });
  const state = events.reduce((current, event) => aggregate.decider.evolve(current, event), aggregate.decider.initialState());
  const last = recorded.at(-1);
  return { state, events, revision: last?.revision ?? -1n, position: last?.position, recorded };
}
