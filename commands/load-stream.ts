import type { DomainEvent } from '../domain/shared/events.js';
import type { Upcasters } from '../domain/shared/upcasting.js';
import type { EventStore, Position, RecordedEvent } from '../infra/event-store/event-store.js';
import { storedSchemaVersion, upcastEvent } from '../infra/event-store/upcast-event.js';
import { schemaVersionOf, type Aggregate } from './aggregate.js';
import type { RecentFolds } from './recent-folds.js';
import { SNAPSHOT_EVERY, type SnapshotStore } from './snapshots.js';

/** Where streams are read from: the store, the snapshots that shortcut long streams, the upcasters that bring old events up to date. */
export interface StreamSource {
  eventStore: EventStore;
  /** For aggregates with a snapshot policy: loads start from the last snapshot. */
  snapshots?: SnapshotStore;
  /** For aggregates with a snapshot policy: loads start from this process's last fold of the stream, when it has one. */
  recentFolds?: RecentFolds;
  upcasters?: Upcasters;
}

export interface LoadedStream<State, Event> {
  state: State;
  /** The events read: the whole stream, or only those after the snapshot the state started from. */
  events: Event[];
  /** Revision of the last event; -1n when the stream does not exist. */
  revision: bigint;
  /** Log position of the stream's last event. */
  position: Position | undefined;
  /** As read, after upcasting. */
  recorded: RecordedEvent[];
  /** Revision of the last snapshot stored for the stream (-1n: none), to tell when the next one is due. */
  snapshotRevision: bigint;
}

export class CorruptStreamError extends Error {
  override readonly name = 'CorruptStreamError';
  constructor(readonly stream: string, readonly revision: bigint, readonly type: string) {
    super(`stream ${stream}: event at revision ${revision} (${type}) does not match its schema`);
  }
}

/**
 * An event whose schema version this code cannot read: written by newer code
 * (after a rollback), or of an old version no upcaster brings up to date.
 */
export class UnreadableEventVersionError extends Error {
  override readonly name = 'UnreadableEventVersionError';
  constructor(readonly stream: string, readonly revision: bigint, readonly type: string, readonly version: number, readonly expected: number) {
    super(`stream ${stream}: event at revision ${revision} (${type}) is at schema version ${version}; this code reads version ${expected}`);
  }
}

/**
 * Reads a stream, upcasts each event to its current schema version,
 * validates it against the aggregate's schemas and folds it. With a
 * snapshot store and an aggregate that allows snapshots, it
 * starts from the stored snapshot and reads only the events after it, and
 * stores a new snapshot once SNAPSHOT_EVERY events were folded past the old;
 * with recent folds, from this process's last fold of the stream instead.
 */
export async function loadStream<State, Command, Event extends DomainEvent>(
  { eventStore, snapshots, recentFolds, upcasters }: StreamSource,
  aggregate: Aggregate<State, Command, Event>,
  streamId: string,
): Promise<LoadedStream<State, Event>> {
  const start = recentStart(recentFolds, aggregate, streamId) ?? (snapshots ? await snapshotStart(snapshots, aggregate, streamId) : undefined);
  const read = await eventStore.readStream(streamId, start ? { fromRevision: start.revision + 1n } : {});
  const recorded = upcasters ? read.map((event) => upcastEvent(event, upcasters)) : read;
  const events = recorded.map((event) => decodeEvent(aggregate, streamId, event));
  const state = events.reduce((current, event) => aggregate.decider.evolve(current, event), start?.state ?? aggregate.decider.initialState());
  const last = recorded.at(-1);
  const loaded: LoadedStream<State, Event> = {
    state,
    events,
    revision: last?.revision ?? start?.revision ?? -1n,
    position: last?.position ?? start?.position,
    recorded,
    snapshotRevision: start?.snapshotRevision ?? -1n,
  };
  if (snapshots) loaded.snapshotRevision = await snapshotIfDue(snapshots, aggregate, streamId, loaded);
  rememberFold(recentFolds, aggregate, streamId, loaded);
  return loaded;
}

/**
 * One recorded event (already upcast) as the aggregate's typed event: refused
 * when its schema version is not the one this code reads, or its payload
 * does not match the aggregate's schema. Every fold of a stream goes through
 * it (loads, time travel), so all read one stream alike.
 */
export function decodeEvent<Event extends DomainEvent>(
  aggregate: Pick<Aggregate<unknown, unknown, Event>, 'eventSchema' | 'schemaVersions'>,
  streamId: string,
  event: RecordedEvent,
): Event {
  const version = storedSchemaVersion(event);
  const expected = schemaVersionOf(aggregate, event.type);
  if (version !== expected) throw new UnreadableEventVersionError(streamId, event.revision, event.type, version, expected);
  const parsed = aggregate.eventSchema.safeParse({ type: event.type, data: event.data });
  if (!parsed.success) throw new CorruptStreamError(streamId, event.revision, event.type);
  return parsed.data;
}

/**
 * Keeps the stream's state as folded through `revision` in this process: the
 * next load of a snapshotted stream starts from it, and the next command on
 * any stream decides on it (`lastFold`).
 */
export function rememberFold<State>(
  recentFolds: RecentFolds | undefined,
  aggregate: Aggregate<State, unknown, DomainEvent>,
  streamId: string,
  loaded: Pick<LoadedStream<State, unknown>, 'state' | 'revision' | 'position' | 'snapshotRevision'>,
): void {
  if (!recentFolds || loaded.revision < 0n) return;
  const { state, revision, position, snapshotRevision } = loaded;
  recentFolds.remember(streamId, { aggregate: aggregate.name, version: foldVersion(aggregate), state, revision, position, snapshotRevision });
}

/**
 * The stream as this process last folded it, read from nothing: what a
 * command may decide on before reading, when its append is checked against
 * the fold's revision (so a fold another process has overtaken never
 * commits anything). Its `events` and `recorded` are empty.
 */
export function lastFold<State, Event>(
  recentFolds: RecentFolds | undefined,
  aggregate: Aggregate<State, unknown, DomainEvent>,
  streamId: string,
): LoadedStream<State, Event> | undefined {
  const fold = recentFolds?.get(streamId, aggregate.name, foldVersion(aggregate));
  // Kept only by rememberFold, from this aggregate's own fold of the stream.
  return fold && { state: fold.state as State, events: [], revision: fold.revision, position: fold.position, recorded: [], snapshotRevision: fold.snapshotRevision };
}

/** A fold is reused only by code folding the same way: the snapshot policy's version, 0 for aggregates without one. */
function foldVersion(aggregate: Aggregate<unknown, unknown, DomainEvent>): number {
  return aggregate.snapshot?.version ?? 0;
}

/**
 * Stores the state as the stream's snapshot when enough events have passed
 * since the last one; answers the revision of the stream's snapshot now.
 */
export async function snapshotIfDue<State>(
  snapshots: SnapshotStore,
  aggregate: Aggregate<State, unknown, DomainEvent>,
  streamId: string,
  loaded: Pick<LoadedStream<State, unknown>, 'state' | 'revision' | 'position' | 'snapshotRevision'>,
): Promise<bigint> {
  const policy = aggregate.snapshot;
  if (!policy || loaded.revision < 0n || loaded.revision - loaded.snapshotRevision < BigInt(SNAPSHOT_EVERY)) return loaded.snapshotRevision;
  try {
    await snapshots.save(streamId, { aggregate: aggregate.name, version: policy.version, revision: loaded.revision, position: loaded.position, state: loaded.state });
    return loaded.revision;
  } catch {
    // A snapshot only saves time: the state was read and is returned either way, and the next load tries again.
    return loaded.snapshotRevision;
  }
}

interface SnapshotStart<State> {
  state: State;
  revision: bigint;
  position: Position | undefined;
  /** The stored snapshot's revision (the start's own, unless it is a recent fold). */
  snapshotRevision: bigint;
}

function recentStart<State>(recentFolds: RecentFolds | undefined, aggregate: Aggregate<State, unknown, DomainEvent>, streamId: string): SnapshotStart<State> | undefined {
  // Loads of streams without a snapshot policy read them whole, as their callers may look at every event.
  if (!aggregate.snapshot) return undefined;
  const fold = lastFold<State, DomainEvent>(recentFolds, aggregate, streamId);
  return fold && { state: fold.state, revision: fold.revision, position: fold.position, snapshotRevision: fold.snapshotRevision };
}

async function snapshotStart<State>(snapshots: SnapshotStore, aggregate: Aggregate<State, unknown, DomainEvent>, streamId: string): Promise<SnapshotStart<State> | undefined> {
  const policy = aggregate.snapshot;
  if (!policy) return undefined;
  const stored = await snapshots.load(streamId);
  if (!stored || stored.aggregate !== aggregate.name || stored.version !== policy.version) return undefined;
  const parsed = policy.schema.safeParse(stored.state);
  return parsed.success ? { state: parsed.data, revision: stored.revision, position: stored.position, snapshotRevision: stored.revision } : undefined;
}
