import { describe, expect, it } from '@jest/globals';
import type { RecordedEvent } from '../../infra/event-store/event-store.js';
import type { Batch } from '../../projections/engine/batcher.js';
import { LiveProgress } from '../../projections/engine/live-progress.js';

const T0 = Date.parse('2026-01-01T00:00:00Z');

function recordedAt(ms: number): RecordedEvent {
  return { id: String(ms), stream: 's-1', revision: 0n, position: BigInt(ms), type: 'T', data: {}, metadata: {}, recordedAt: new Date(ms) };
}

function batch(events: RecordedEvent[], caughtUp = false): Batch {
  return { events, through: events.at(-1)?.position, caughtUp };
}

describe('LiveProgress: lag from the events a runner has already read', () => {
  it('is unknown before anything was read, then the age of the oldest event not applied, then 0 at the head', () => {
    let now = T0 + 10_000;
    const progress = new LiveProgress(() => now);
    const queue: RecordedEvent[] = [];
    progress.follow({ oldestQueuedEvent: () => queue[0] });
    expect(progress.reading()).toEqual({ caughtUp: false, lagSeconds: undefined });

    queue.push(recordedAt(T0), recordedAt(T0 + 4_000));
    expect(progress.reading()).toEqual({ caughtUp: false, lagSeconds: 10 });

    const first = batch(queue.splice(0, 1));
    progress.taken(first);
    expect(progress.reading()).toEqual({ caughtUp: false, lagSeconds: 10 });
    progress.applied(first);
    expect(progress.reading()).toEqual({ caughtUp: false, lagSeconds: 6 });

    const last = batch(queue.splice(0, 1), true);
    progress.taken(last);
    progress.applied(last);
    now += 60_000;
    expect(progress.reading()).toEqual({ caughtUp: true, lagSeconds: 0 });
  });

  it('a failed runner reports the age of the event it stopped on, and is not caught up', () => {
    const now = T0 + 30_000;
    const progress = new LiveProgress(() => now);
    progress.follow({ oldestQueuedEvent: () => undefined });
    progress.applied(batch([], true));
    progress.unfollow(recordedAt(T0));
    expect(progress.reading()).toEqual({ caughtUp: false, lagSeconds: 30 });
  });
});
