import { describe, expect, it } from '@jest/globals';
import { v5 as uuidv5 } from 'uuid';
import { anomalyEventId, receivedEventId } from '../../domain/analytics/index.js';
import { nameUuids } from '../../domain/shared/name-uuid.js';

const NAMESPACE = '3b0f6d0e-5c57-4f51-a0f7-8f6f3c9e2d14';

describe('name-based UUIDs', () => {
  it('are the uuid package v5 ids, for ASCII, accented, CJK and astral names, and the empty one', () => {
    const uuid = nameUuids(NAMESPACE);
    for (const name of ['', 'm-1', 't-1\nm-1', 'tenant-ü\nmessage-日本-😀', 'x'.repeat(5_000)]) expect(uuid(name)).toBe(uuidv5(name, NAMESPACE));
    const other = nameUuids('6ba7b810-9dad-11d1-80b4-00c04fd430c8');
    expect(other('example.org')).toBe(uuidv5('example.org', '6ba7b810-9dad-11d1-80b4-00c04fd430c8'));
  });

  it('keep the ids already in the log: a retried message is recognised by the id it was first appended with', () => {
    expect(receivedEventId('t-1', 'm-1')).toBe('e117560c-5e15-56c9-9de8-87d5458ab2c5');
    expect(anomalyEventId('t-1', 'signup', '2026-12-01T10:00:00.000Z', 'spike')).toBe('8f827855-b250-526b-b21b-f4501c4f1b4a');
  });

  it('refuse a namespace that is not a UUID', () => {
    expect(() => nameUuids('not-a-uuid')).toThrow(TypeError);
  });
});
