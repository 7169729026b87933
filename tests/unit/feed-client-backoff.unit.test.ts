import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from '@jest/globals';
import { Backoff } from '../../feed-client/index.js';

describe('feed client backoff', () => {
  it('waits a random time up to a ceiling that doubles from initialMs to maxMs', () => {
    const highest = new Backoff({ initialMs: 100, maxMs: 1_000 }, () => 1);
    expect(Array.from({ length: 6 }, () => highest.next())).toEqual([100, 200, 400, 800, 1_000, 1_000]);
    const lowest = new Backoff({ initialMs: 100, maxMs: 1_000 }, () => 0);
    expect(Array.from({ length: 3 }, () => lowest.next())).toEqual([0, 0, 0]);
    const half = new Backoff({ initialMs: 100, maxMs: 1_000 }, () => 0.5);
    expect([half.next(), half.next()]).toEqual([50, 100]);
  });

  it('starts over after a reset', () => {
    const backoff = new Backoff({ initialMs: 100, maxMs: 1_000 }, () => 1);
    backoff.next();
    backoff.next();
    backoff.reset();
    expect(backoff.next()).toBe(100);
  });
});

describe('package exports', () => {
  it('exports the feed client as chronicle/feed-client', async () => {
    const script = "const m = await import('chronicle/feed-client'); console.log(typeof m.FeedClient, typeof m.Backoff);";
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx/esm', '--input-type=module', '-e', script], { cwd: process.cwd() });
    expect(stdout.trim()).toBe('function function');
  });
});
