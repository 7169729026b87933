import type { SubscribeOptions, Subscription } from './event-store.js';

/**
 * A store that can follow its log without sending the events: for a
 * subscriber that reads what it needs of them where they lie, in SQL (the
 * audit seal has PostgreSQL hash them), so that no event crosses the wire.
 * Only PostgreSQL does; the subscriber's own SQL must then reach the log's
 * tables, which share the read models' database.
 */
export interface PositionSource {
  /**
   * Yields no events: a `checkpoint` for each stretch of the log it moves
   * past (at most a page of events while catching up), `caught-up` once, then
   * a `checkpoint` whenever the head moves. Every position is an event's,
   * below the horizon: everything up to it has committed and is visible.
   */
  subscribeToPositions(options?: Omit<SubscribeOptions, 'filter'>): Subscription;
}

export function followsPositions(store: object): store is PositionSource {
  return typeof (store as Partial<PositionSource>).subscribeToPositions === 'function';
}
