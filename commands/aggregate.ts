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
  eventSchema: z.ZodType<Event>;
  schemaVersion: number;
  /** Set for streams that grow without bound (a user's logins), so loading them stays cheap. */
  snapshot?: SnapshotPolicy<State>;
}

export function defineAggregate<State, Command, Event extends DomainEvent>(
  name: string,
  decider: Decider<State, Command, Event>,
  eventSchema: z.ZodType<Event>,
  options: { schemaVersion?: number; snapshot?: SnapshotPolicy<State> } = {},
): Aggregate<State, Command, Event> {
  return { name, decider, eventSchema, schemaVersion: options.schemaVersion ?? 1, ...(options.snapshot ? { snapshot: options.snapshot } : {}) };
}
