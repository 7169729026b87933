import type { EventStore, Position, Subscription } from '../../infra/event-store/event-store.js';
import { followsPositions } from '../../infra/event-store/position-source.js';
import type { AnyProjection } from '../projection.js';

export interface FollowOptions {
  fromPosition: Position | undefined;
  readAtMostEveryMs?: number | undefined;
}

/** The projection reads its events itself (applySpan) and the store can follow its log without sending them. */
export function readsSpans(store: EventStore, projection: AnyProjection): boolean {
  return projection.applySpan !== undefined && followsPositions(store);
}

/** What a runner reads of the log for a projection: only the positions it moves to when it reads spans (readsSpans), the events otherwise. */
export function follow(store: EventStore, projection: AnyProjection, options: FollowOptions): Subscription {
  const from = options.fromPosition === undefined ? {} : { fromPosition: options.fromPosition };
  const every = options.readAtMostEveryMs === undefined ? {} : { readAtMostEveryMs: options.readAtMostEveryMs };
  if (projection.applySpan && followsPositions(store)) return store.subscribeToPositions({ ...from, ...every });
  return store.subscribeToAll({ ...from, filter: projection.filter, ...every });
}
