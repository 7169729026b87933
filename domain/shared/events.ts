import { z } from 'zod';
import type { EventMetadata } from './metadata.js';

/** A domain event as deciders see it: a PascalCase type and a payload typed from its zod schema. */
export interface DomainEvent<Type extends string = string, Data extends object = object> {
  type: Type;
  data: Data;
}

/** A domain event as it was recorded: with its metadata and its place in the stream and the log. */
export type RecordedDomainEvent<Event extends DomainEvent> = Event & {
  metadata: EventMetadata;
  streamId: string;
  revision: bigint;
};

/**
 * Builds the zod schema of one event type, so the type's name and its payload
 * schema are written once and both the union and z.infer come from it.
 */
export function eventSchema<Type extends string, Data extends z.ZodObject>(type: Type, data: Data) {
  return z.object({ type: z.literal(type), data });
}

/** Stream names are `<category>-<id>`. */
export function streamName(category: string, id: string): string {
  return `${category}-${id}`;
}
