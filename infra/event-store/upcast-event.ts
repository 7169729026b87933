import type { Upcasters } from '../../domain/shared/upcasting.js';
import type { JsonObject, RecordedEvent } from './event-store.js';

/**
 * The schema version an event was stored with (`metadata.schemaVersion`);
 * events appended without one (by hand, by tests, before versions were
 * recorded) are version 1.
 */
export function storedSchemaVersion(event: Pick<RecordedEvent, 'metadata'>): number {
  const version = event.metadata.schemaVersion;
  return typeof version === 'number' && Number.isInteger(version) && version >= 1 ? version : 1;
}

/**
 * The event as its current schema version reads: data upcast and
 * `metadata.schemaVersion` set to the version reached. Every reader of the
 * log calls this (the command handler's load, the projection engine before
 * apply, the feed, the audit trail), so all see one shape. An event of a
 * type without upcasters is returned as it is, its payload untouched.
 */
export function upcastEvent(event: RecordedEvent, upcasters: Upcasters): RecordedEvent {
  if (!upcasters.handles(event.type)) return event;
  const stored = storedSchemaVersion(event);
  if (stored >= upcasters.currentVersion(event.type)) return event;
  const { version, data } = upcasters.upcast(event.type, stored, event.data);
  // Named copies: data and metadata may be getters that a spread would skip.
  return {
    id: event.id,
    stream: event.stream,
    revision: event.revision,
    position: event.position,
    type: event.type,
    data: data as JsonObject,
    metadata: { ...event.metadata, schemaVersion: version },
    recordedAt: event.recordedAt,
  };
}

/** A batch, upcast; the same array when nothing in it needs it. */
export function upcastEvents(events: readonly RecordedEvent[], upcasters: Upcasters): readonly RecordedEvent[] {
  if (upcasters.isEmpty) return events;
  return events.map((event) => upcastEvent(event, upcasters));
}
