import { describe, expect, it } from '@jest/globals';
import { widenXid } from '../../infra/event-store/postgres/horizon.js';
import { decodePosition, encodePosition } from '../../infra/event-store/postgres/rows.js';

describe('widening 32-bit xids', () => {
  const epoch = 1n << 32n;
  it('keeps an xid of the same epoch, below or a little above the reference', () => {
    expect(widenXid(975n, 1023n)).toBe(975n);
    expect(widenXid(1030n, 1023n)).toBe(1030n);
    expect(widenXid(5n, 3n * epoch + 10n)).toBe(3n * epoch + 5n);
  });
  it('puts an xid on the right side of an epoch boundary', () => {
    expect(widenXid(epoch - 5n, 2n * epoch + 3n)).toBe(2n * epoch - 5n);
    expect(widenXid(2n, 2n * epoch - 3n)).toBe(2n * epoch + 2n);
  });
});

describe('PostgreSQL positions', () => {
  it('order as (transaction, index) and round-trip', () => {
    const a = encodePosition('1000', 7);
    const b = encodePosition('1001', 0);
    expect(a < b).toBe(true);
    expect(decodePosition(a)).toEqual({ txId: '1000', idx: 7 });
  });
});
