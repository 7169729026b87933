import type { EventStore } from '../../infra/event-store/event-store.js';
import { postCreated, type PostTemplate } from '../feed/bench-posts.js';
import { clockMs } from '../feed/marks.js';

/** Appends in flight at most, should PostgreSQL commit slower than the pace. */
const MAX_IN_FLIGHT = 64;

export interface PacedAppends {
  /** Global positions of the appended events, in the log's order. */
  positions: bigint[];
  /** When each append was acknowledged (performance.now()), by position. */
  ackedAt: Map<string, number>;
  seconds: number;
  /** Appends that had to wait for a free slot (the store could not keep the pace). */
  delayed: number;
}

/**
 * `perSecond` posts' creations for `seconds`, straight to the event store (as
 * the feed bench's burst writes them), event i sent at start + i / perSecond
 * without waiting for the previous one (open loop), in the template's tenant.
 */
export async function appendPaced(store: EventStore, template: PostTemplate, perSecond: number, seconds: number): Promise<PacedAppends> {
  const total = Math.round(perSecond * seconds);
  const intervalMs = 1_000 / perSecond;
  const positions: bigint[] = [];
  const ackedAt = new Map<string, number>();
  const inFlight = new Set<Promise<void>>();
  let delayed = 0;
  const start = clockMs();
  for (let seq = 1; seq <= total; seq++) {
    const wait = start + (seq - 1) * intervalMs - clockMs();
    if (wait >= 1) await new Promise((resolve) => setTimeout(resolve, wait));
    if (inFlight.size >= MAX_IN_FLIGHT) {
      delayed++;
      await Promise.race(inFlight);
    }
    const { stream, event } = postCreated(seq, template);
    const append = store.appendToStream(stream, [event], { expectedRevision: 'no_stream' }).then((result) => {
      positions.push(result.position);
      ackedAt.set(String(result.position), performance.now());
      inFlight.delete(append);
    });
    inFlight.add(append);
  }
  await Promise.all(inFlight);
  positions.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return { positions, ackedAt, seconds: (clockMs() - start) / 1_000, delayed };
}
