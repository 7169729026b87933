import { describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import { canonicalEvent, canonicalText, GENESIS_HASH, leafHash, stretchLink } from '../../domain/audit/hash-chain.js';
import { readSealRecord, SEAL_RECORD_BYTES, sealRecord, sealTime } from '../../infra/event-store/seal-leaves.js';
import { sealLeafOf, type LoggedEvent } from '../../projections/audit/seal-stretch.js';

const event: LoggedEvent = {
  position: (7n << 32n) | 2n,
  id: '0190d9a4-5f1e-7c2a-9b1d-4f3c2a1b0e9d',
  stream: 'post-1',
  revision: 3n,
  type: 'PostUpdated',
  data: { title: 'A', tags: ['x', 'y'] },
  metadata: { actor: { type: 'user', id: 'u1' }, schemaVersion: 1 },
  recordedAt: new Date('2026-01-02T03:04:05.678Z'),
};

/** The chain's hash after one stretch holding only `sealed`. */
const chainHash = (previous: string, sealed: LoggedEvent): string => stretchLink(previous, sealRecord(sealLeafOf(sealed)));

describe('the audit hash chain', () => {
  it('gives the same hash for the same stored event read twice (payloads parsed again from the same text)', () => {
    const again: LoggedEvent = { ...event, data: JSON.parse(JSON.stringify(event.data)), metadata: JSON.parse(JSON.stringify(event.metadata)) };
    expect(chainHash(GENESIS_HASH, again)).toBe(chainHash(GENESIS_HASH, event));
    expect(chainHash(GENESIS_HASH, event)).toMatch(/^[0-9a-f]{64}$/);
  });

  it.each<[string, Partial<LoggedEvent>]>([
    ['id', { id: '0190d9a4-5f1e-7c2a-9b1d-4f3c2a1b0e9e' }],
    ['stream', { stream: 'post-2' }],
    ['revision', { revision: 4n }],
    ['type', { type: 'PostDeleted' }],
    ['data', { data: { title: 'B', tags: ['x', 'y'] } }],
    ['a nested array', { data: { title: 'A', tags: ['y', 'x'] } }],
    ['metadata', { metadata: { actor: { type: 'user', id: 'u2' }, schemaVersion: 1 } }],
    ['the time of recording', { recordedAt: new Date('2026-01-02T03:04:05.679Z') }],
    ['position', { position: (7n << 32n) | 3n }],
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
    expect(canonicalEvent(event)).toBe(JSON.stringify([event.stream, event.type, event.data, event.metadata]));
    expect(canonicalText(event.stream, event.type, JSON.stringify(event.data), JSON.stringify(event.metadata))).toBe(canonicalEvent(event));
  });

  it('packs a record as leaf, position, id, revision and time, and reads it back', () => {
    const leaf = sealLeafOf(event);
    const record = sealRecord(leaf);
    expect(record).toHaveLength(SEAL_RECORD_BYTES);
    expect(record.subarray(0, 32).toString('hex')).toBe(leafHash(event));
    expect(record.readBigUInt64BE(32)).toBe(7n);
    expect(record.readUInt32BE(40)).toBe(2);
    expect(record.subarray(44, 60).toString('hex')).toBe(event.id.replaceAll('-', ''));
    expect(record.readBigInt64BE(60)).toBe(3n);
    // PostgreSQL's own form of a time: microseconds since 2000-01-01 UTC.
    expect(record.readBigInt64BE(68)).toBe(BigInt(Date.parse('2026-01-02T03:04:05.678Z') - Date.parse('2000-01-01T00:00:00Z')) * 1000n);
    const { stream: _stream, ...packed } = leaf;
    expect(readSealRecord(Buffer.concat([Buffer.alloc(SEAL_RECORD_BYTES), record]), 1)).toEqual(packed);
    expect(sealTime(new Date('1999-12-31T23:59:59.999Z'))).toBe(-1000n);
    // A store that keeps a finer time than a Date (PostgreSQL's microseconds) has it packed as it keeps it.
    expect(sealLeafOf({ ...event, storedTime: 5n }).recorded).toBe(5n);
  });

  it('does not let a field boundary move: "ab"+"c" and "a"+"bc" differ', () => {
    expect(chainHash(GENESIS_HASH, { ...event, stream: 'ab', type: 'c' })).not.toBe(chainHash(GENESIS_HASH, { ...event, stream: 'a', type: 'bc' }));
  });
});
