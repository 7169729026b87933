import type { z } from 'zod';
import type { Decider } from '../domain/shared/decider.js';
import type { DomainEvent } from '../domain/shared/events.js';
import type { SnapshotPolicy } from './snapshots.js';

/**
 * What the command handler needs to know about one kind of stream: its
 * decider and the zod union of its events, which validates what is read from
 * the store (the edge) and what is about to be written (a cheap guard).
 */
export interface Aggregate<State, Command, Event extends DomainEvent> {
  name: string;
  decider: Decider<State, Command, Event>;
  /** The current shape of each event: what is written, and what older versions are upcast to before they are parsed. */
  eventSchema: z.ZodType<Event>;
  /**
   * The current schema version of each event type whose shape has changed
   * (1 for the others): written to `metadata.schemaVersion`, and the version
   * the feature's upcasters bring stored events to.
   */
  schemaVersions: Readonly<Record<string, number>>;
  /** Set for streams that grow without bound (a user's logins), so loading them stays cheap. */
  snapshot?: SnapshotPolicy<State>;
}

/** What the composition root checks of every aggregate, whatever its types. */
export type AnyAggregate = Pick<Aggregate<unknown, unknown, DomainEvent>, 'name' | 'schemaVersions'>;

export interface AggregateOptions<State, Event extends DomainEvent> {
  /** e.g. `{ PostCreated: 2 }` once PostCreated has an upcaster from version 1. */
  schemaVersions?: Partial<Record<Event['type'], number>>;
  snapshot?: SnapshotPolicy<State>;
}

export function defineAggregate<State, Command, Event extends DomainEvent>(
  name: string,
  decider: Decider<State, Command, Event>,
  eventSchema: z.ZodType<Event>,
  options: AggregateOptions<State, Event> = {},
): Aggregate<State, Command, Event> {
  const schemaVersions: Record<string, number> = { ...(options.schemaVersions as Record<string, number> | undefined) };
  return { name, decider, eventSchema, schemaVersions, ...(options.snapshot ? { snapshot: options.snapshot } : {}) };
}

/** The version events of this type are written with and read as. */
export function schemaVersionOf(aggregate: Pick<AnyAggregate, 'schemaVersions'>, type: string): number {
  return aggregate.schemaVersions[type] ?? 1;
}
