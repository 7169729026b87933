import type { EventData, Position as ClientPosition } from '@kurrent/kurrentdb-client';
import type { JsonObject, JsonValue, NewEvent, RecordedEvent } from '../event-store.js';
import { encodePosition } from './positions.js';

/** The fields of the client's recorded event that we read, whichever reader produced it. */
export interface ClientRecord {
  streamId: string;
  id: string;
  revision: bigint;
  type: string;
  data: unknown;
  metadata: unknown;
  created: Date;
  position?: ClientPosition;
}

export interface ClientResolved {
  event?: ClientRecord;
}

export function toEventData(event: NewEvent): EventData {
  return { id: event.id, contentType: 'application/json', type: event.type, data: event.data, metadata: event.metadata };
}

/** System streams and types start with `$` (projections, stream metadata, scavenges): never ours to return. */
export function isSystemRecord(record: Pick<ClientRecord, 'streamId' | 'type'>): boolean {
  return record.streamId.startsWith('$') || record.type.startsWith('$');
}

export function toRecordedEvent(record: ClientRecord): RecordedEvent {
  if (!record.position) {
    // Servers before 22.6 leave positions out of stream reads; the port cannot do without them.
    throw new Error(`KurrentDB returned event ${record.id} of ${record.streamId} without a log position (server older than 22.6?)`);
  }
  return {
    id: record.id,
    stream: record.streamId,
    revision: record.revision,
    position: encodePosition(record.position),
    type: record.type,
    data: toJsonObject(record.data),
    metadata: toJsonObject(record.metadata),
    recordedAt: record.created,
  };
}

/**
 * We only write JSON objects, but other writers may not: their bodies are kept
 * visible rather than dropped, binary as base64 under `$binary`, other JSON under `$value`.
 */
function toJsonObject(value: unknown): JsonObject {
  if (value === undefined || value === null) return {};
  if (value instanceof Uint8Array) return value.length === 0 ? {} : { $binary: Buffer.from(value).toString('base64') };
  if (typeof value === 'object' && !Array.isArray(value)) return value as JsonObject;
  return { $value: value as JsonValue };
}
