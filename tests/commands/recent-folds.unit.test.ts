import { describe, expect, it } from '@jest/globals';
import { RecentFolds, type RecentFold } from '../../commands/recent-folds.js';

const fold = (revision: bigint, body: string): RecentFold => ({ aggregate: 'post', version: 0, state: { status: 'Active', body }, revision, position: undefined, snapshotRevision: -1n });

describe('recent folds: bounded by the size of the states kept', () => {
  it('forgets the least recently used streams once their states outweigh the budget', () => {
    // About 100 KB of budget; each state about 40 KB (20,000 characters at 2 bytes).
    const folds = new RecentFolds(10_000, 100_000);
    for (let i = 0; i < 5; i++) folds.remember(`post-${i}`, fold(0n, 'x'.repeat(20_000)));
    expect(folds.size).toBe(2);
    expect(folds.get('post-3', 'post', 0)).toBeDefined();
    expect(folds.get('post-4', 'post', 0)).toBeDefined();
    expect(folds.get('post-0', 'post', 0)).toBeUndefined();
  });

  it('keeps no state larger than the whole budget, and a stream replaced by a smaller state frees the difference', () => {
    const folds = new RecentFolds(10_000, 100_000);
    folds.remember('post-small', fold(0n, 'small'));
    folds.remember('post-huge', fold(0n, 'x'.repeat(60_000)));
    expect(folds.get('post-huge', 'post', 0)).toBeUndefined();
    expect(folds.get('post-small', 'post', 0)).toBeDefined();
    folds.remember('post-a', fold(0n, 'x'.repeat(45_000)));
    // The same stream again, smaller: the old weight is given back, so both fit.
    folds.remember('post-a', fold(1n, 'x'.repeat(10_000)));
    folds.remember('post-b', fold(0n, 'x'.repeat(30_000)));
    expect(folds.size).toBe(3);
  });

  it('still counts streams: the oldest goes past the capacity', () => {
    const folds = new RecentFolds(3);
    for (let i = 0; i < 5; i++) folds.remember(`post-${i}`, fold(0n, 'small'));
    expect(folds.size).toBe(3);
    expect(folds.get('post-1', 'post', 0)).toBeUndefined();
  });
});
