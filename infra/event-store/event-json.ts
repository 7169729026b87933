import { z } from 'zod';
import type { JsonObject, RecordedEvent } from './event-store.js';

/**
 * A recorded event as JSON: positions and revisions as decimal strings (they
 * are bigints, which JSON.stringify refuses and a JavaScript client could not
 * hold exactly), the recording time as ISO 8601, data and metadata as stored.
 * One view for every place that shows an event: `chronicle events tail`,
 * the live feed, the audit trail.
 */
export interface RecordedEventJson {
  position: string;
  stream: string;
  revision: string;
  id: string;
  type: string;
  data: JsonObject;
  metadata: JsonObject;
  recordedAt: string;
}

export function eventToJson(event: RecordedEvent): RecordedEventJson {
  return {
    position: String(event.position),
    stream: event.stream,
    revision: String(event.revision),
    id: event.id,
    type: event.type,
    data: event.data,
    metadata: event.metadata,
    recordedAt: event.recordedAt.toISOString(),
  };
}

const decimal = z.string().regex(/^\d{1,40}$/);

/** The same view for OpenAPI (and for clients that check what they receive). */
export const recordedEventJsonSchema = z
  .object({
    position: decimal.meta({ description: 'Place in the global log: opaque, totally ordered as a number; pass it back as X-Min-Position or fromPosition' }),
    stream: z.string().meta({ description: 'The stream, `<category>-<id>`' }),
    revision: decimal.meta({ description: "The event's place in its stream, from 0" }),
    id: z.uuid(),
    type: z.string().meta({ description: 'PascalCase event type, e.g. PostCreated' }),
    data: z.record(z.string(), z.unknown()),
    metadata: z
      .record(z.string(), z.unknown())
      .meta({ description: 'eventId, correlationId, causationId, actor, tenantId, requestId, occurredAt, schemaVersion (CONTRACT.md section 2)' }),
    recordedAt: z.iso.datetime({ offset: true }),
  })
  .meta({ id: 'RecordedEvent' });
