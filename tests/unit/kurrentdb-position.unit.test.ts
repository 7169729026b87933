import { describe, expect, it } from '@jest/globals';
import { parsePosition } from '../../infra/event-store/event-store.js';
import { decodePosition, encodePosition, latest } from '../../infra/event-store/kurrentdb/positions.js';

const MAX_U64 = (1n << 64n) - 1n;

describe('KurrentDB positions as one bigint', () => {
  it('encodes commit * 2^64 + prepare', () => {
    expect(encodePosition({ commit: 0n, prepare: 0n })).toBe(0n);
    expect(encodePosition({ commit: 1n, prepare: 0n })).toBe(1n << 64n);
    expect(encodePosition({ commit: 1234n, prepare: 1200n })).toBe(1234n * 2n ** 64n + 1200n);
  });

  it('round-trips exactly, up to the largest 64-bit parts', () => {
    const samples = [
      { commit: 0n, prepare: 0n },
      { commit: 1_048_576n, prepare: 1_048_576n },
      { commit: 1_048_960n, prepare: 1_048_576n },
      { commit: 2n ** 53n + 1n, prepare: 2n ** 53n - 1n },
      { commit: MAX_U64, prepare: MAX_U64 },
    ];
    for (const sample of samples) expect(decodePosition(encodePosition(sample))).toEqual(sample);
  });

  it('orders as the log does: commit first, then prepare', () => {
    const inLogOrder = [
      { commit: 100n, prepare: 100n },
      { commit: 100n, prepare: 180n },
      { commit: 100n, prepare: MAX_U64 },
      { commit: 101n, prepare: 0n },
      { commit: 2n ** 40n, prepare: 5n },
    ];
    const encoded = inLogOrder.map(encodePosition);
    for (let i = 1; i < encoded.length; i++) expect(encoded[i]! > encoded[i - 1]!).toBe(true);
  });

  it('survives the port serialisation (String, parsePosition)', () => {
    const position = encodePosition({ commit: MAX_U64, prepare: MAX_U64 });
    expect(parsePosition(String(position))).toBe(position);
    expect(decodePosition(parsePosition(String(position)))).toEqual({ commit: MAX_U64, prepare: MAX_U64 });
  });

  it('refuses what no KurrentDB position can be', () => {
    expect(() => encodePosition({ commit: -1n, prepare: 0n })).toThrow(RangeError);
    expect(() => encodePosition({ commit: 0n, prepare: 1n << 64n })).toThrow(RangeError);
    expect(() => decodePosition(-1n)).toThrow(RangeError);
    expect(() => decodePosition(1n << 128n)).toThrow(RangeError);
  });

  it('picks the latest known position', () => {
    expect(latest(undefined, 3n, 7n, undefined, 5n)).toBe(7n);
    expect(latest(undefined)).toBeUndefined();
  });
});
