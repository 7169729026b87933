import { describe, expect, it } from '@jest/globals';
import { StreamQueue } from '../../infra/stream-queue.js';

/** A task that runs until told to finish, recording when it started. */
function gate(log: string[], name: string): { task: () => Promise<string>; finish(): void; fail(): void } {
  let finish!: () => void;
  let fail!: () => void;
  const done = new Promise<string>((resolve, reject) => {
    finish = () => resolve(name);
    fail = () => reject(new Error(name));
  });
  return {
    task: () => {
      log.push(`start ${name}`);
      return done;
    },
    finish: () => finish(),
    fail: () => fail(),
  };
}

/** Lets every pending promise reaction run. */
async function settle(): Promise<void> {
  for (let i = 0; i < 10; i++) await Promise.resolve();
}

describe('stream queue', () => {
  it('runs one stream\'s tasks one at a time, in order, whether the one before succeeded or failed', async () => {
    const queue = new StreamQueue();
    const log: string[] = [];
    const [a, b, c] = [gate(log, 'a'), gate(log, 'b'), gate(log, 'c')];
    const results = [queue.run('s', a.task), queue.run('s', b.task), queue.run('s', c.task)];
    await settle();
    expect(log).toEqual(['start a']);
    a.fail();
    await settle();
    expect(log).toEqual(['start a', 'start b']);
    b.finish();
    await settle();
    expect(log).toEqual(['start a', 'start b', 'start c']);
    c.finish();
    await expect(results[0]).rejects.toThrow('a');
    await expect(results[1]).resolves.toBe('b');
    await expect(results[2]).resolves.toBe('c');
  });

  it('runs tasks of distinct streams at once', async () => {
    const queue = new StreamQueue();
    const log: string[] = [];
    const [a, b] = [gate(log, 'a'), gate(log, 'b')];
    const results = [queue.run('s1', a.task), queue.run('s2', b.task)];
    await settle();
    expect(log).toEqual(['start a', 'start b']);
    b.finish();
    a.finish();
    await Promise.all(results);
  });

  it('forgets a stream once its queue has drained', async () => {
    const queue = new StreamQueue();
    await Promise.all([queue.run('s1', async () => 1), queue.run('s1', async () => 2), queue.run('s2', () => Promise.reject(new Error('no'))).catch(() => 3)]);
    await settle();
    expect(queue.size).toBe(0);
  });
});
