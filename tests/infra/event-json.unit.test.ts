import { describe, expect, it } from '@jest/globals';
import { eventLine } from '../../app/commands/events-tail.js';
import { eventToJson, recordedEventJsonSchema } from '../../infra/event-store/event-json.js';
import type { RecordedEvent } from '../../infra/event-store/event-store.js';

const metadata = {
  eventId: '0190a5f0-0000-7000-8000-000000000001',
  correlationId: 'c-1',
  causationId: 'req-1',
  actor: { type: 'user', id: 'u-1' },
  tenantId: 't-1',
  requestId: 'req-1',
  occurredAt: '2030-01-01T00:00:00.000Z',
  schemaVersion: 2,
};

/** As the adapters hand events out: data and metadata decoded on first access (getters a spread would skip). */
function lazilyDecoded(position: bigint, revision: bigint): RecordedEvent {
  const event = { id: metadata.eventId, stream: 'post-1', revision, position, type: 'PostCreated', recordedAt: new Date('2030-01-01T00:00:01.234Z') };
  Object.defineProperty(event, 'data', { get: () => ({ title: 'Hello', body: 'World', tags: ['a'] }), enumerable: false });
  Object.defineProperty(event, 'metadata', { get: () => metadata, enumerable: false });
  return event as RecordedEvent;
}

describe('the JSON view of a recorded event', () => {
  it('gives positions and revisions beyond 2^53 as exact decimal strings, with data, metadata and the recording time', () => {
    const position = (1n << 62n) + 7n;
    const json = eventToJson(lazilyDecoded(position, 9_007_199_254_740_993n));
    expect(json).toEqual({
      position: '4611686018427387911',
      stream: 'post-1',
      revision: '9007199254740993',
      id: metadata.eventId,
      type: 'PostCreated',
      data: { title: 'Hello', body: 'World', tags: ['a'] },
      metadata,
      recordedAt: '2030-01-01T00:00:01.234Z',
    });
    // Serialisable as it is (a bigint would throw), and read back without losing a digit.
    expect(JSON.parse(JSON.stringify(json)).position).toBe(String(position));
  });

  it('is what its schema (the OpenAPI component) describes', () => {
    expect(recordedEventJsonSchema.safeParse(eventToJson(lazilyDecoded(12n, 0n))).success).toBe(true);
    expect(recordedEventJsonSchema.safeParse({ ...eventToJson(lazilyDecoded(12n, 0n)), position: 12 }).success).toBe(false);
  });

  it('is the line `chronicle events tail` prints', () => {
    const event = lazilyDecoded(5n, 1n);
    expect(JSON.parse(eventLine(event))).toEqual(eventToJson(event));
  });
});
