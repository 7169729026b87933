import { describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import { canonicalEvent, canonicalTime, GENESIS_HASH, leafHash, stretchLink, type SealedEvent } from '../../domain/audit/hash-chain.js';

const event: SealedEvent = {
  id: '0190d9a4-5f1e-7c2a-9b1d-4f3c2a1b0e9d',
  stream: 'post-1',
  revision: 3n,
  type: 'PostUpdated',
  data: { title: 'A', tags: ['x', 'y'] },
  metadata: { actor: { type: 'user', id: 'u1' }, schemaVersion: 1 },
  recordedAt: new Date('2026-01-02T03:04:05.678Z'),
};

/** The chain's hash after one stretch holding only `sealed`. */
const chainHash = (previous: string, sealed: SealedEvent): string => stretchLink(previous, Buffer.from(leafHash(sealed), 'hex'));

describe('the audit hash chain', () => {
  it('gives the same hash for the same stored event read twice (payloads parsed again from the same text)', () => {
    const again: SealedEvent = { ...event, data: JSON.parse(JSON.stringify(event.data)), metadata: JSON.parse(JSON.stringify(event.metadata)) };
    expect(chainHash(GENESIS_HASH, again)).toBe(chainHash(GENESIS_HASH, event));
    expect(chainHash(GENESIS_HASH, event)).toMatch(/^[0-9a-f]{64}$/);
  });

  it.each<[string, Partial<SealedEvent>]>([
    ['id', { id: '0190d9a4-5f1e-7c2a-9b1d-4f3c2a1b0e9e' }],
    ['stream', { stream: 'post-2' }],
    ['revision', { revision: 4n }],
    ['type', { type: 'PostDeleted' }],
    ['data', { data: { title: 'B', tags: ['x', 'y'] } }],
    ['a nested array', { data: { title: 'A', tags: ['y', 'x'] } }],
    ['metadata', { metadata: { actor: { type: 'user', id: 'u2' }, schemaVersion: 1 } }],
    ['the time of recording', { recordedAt: new Date('2026-01-02T03:04:05.679Z') }],
  ])('changes when the %s changes', (_field, change) => {
    expect(chainHash(GENESIS_HASH, { ...event, ...change })).not.toBe(chainHash(GENESIS_HASH, event));
  });

  it('depends on everything before: the same event after another history hashes differently', () => {
    const other = chainHash(GENESIS_HASH, { ...event, revision: 0n });
    expect(chainHash(other, event)).not.toBe(chainHash(GENESIS_HASH, event));
  });

  it('links a stretch as SHA-256 of the previous hash, as raw bytes, and the stretch\'s records', () => {
    const records = Buffer.from('0102030405', 'hex');
    const expected = createHash('sha256').update(Buffer.from(GENESIS_HASH, 'hex')).update(records).digest('hex');
    expect(stretchLink(GENESIS_HASH, records)).toBe(expected);
    expect(stretchLink(GENESIS_HASH, Buffer.from('0102030406', 'hex'))).not.toBe(expected);
    expect(stretchLink('1'.repeat(64), records)).not.toBe(expected);
  });

  it('hashes the payloads as stored where the store keeps their text, and as JSON.stringify writes them where it does not', () => {
    const stored = { ...event, storedText: { data: JSON.stringify(event.data), metadata: JSON.stringify(event.metadata) } };
    expect(leafHash(stored)).toBe(leafHash(event));
    expect(leafHash({ ...stored, storedText: { ...stored.storedText, data: JSON.stringify(event.data, null, 1) } })).not.toBe(leafHash(event));
    expect(canonicalEvent(event)).toBe(JSON.stringify([event.stream, '3', event.id, event.type, '2026-01-02T03:04:05.678', event.data, event.metadata]));
  });

  it.each([
    ['2026-01-02T03:04:05.678Z', '2026-01-02T03:04:05.678'],
    ['2026-01-02T03:04:05.670Z', '2026-01-02T03:04:05.67'],
    ['2026-01-02T03:04:05.600Z', '2026-01-02T03:04:05.6'],
    ['2026-01-02T03:04:50.000Z', '2026-01-02T03:04:50'],
    ['2026-01-02T03:04:05.008Z', '2026-01-02T03:04:05.008'],
  ])('writes the time %s as PostgreSQL to_json does: %s', (time, written) => {
    expect(canonicalTime(new Date(time))).toBe(written);
  });

  it('does not let a field boundary move: "ab"+"c" and "a"+"bc" differ', () => {
    expect(chainHash(GENESIS_HASH, { ...event, stream: 'ab', type: 'c' })).not.toBe(chainHash(GENESIS_HASH, { ...event, stream: 'a', type: 'bc' }));
  });
});
