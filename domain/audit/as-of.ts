/**
 * A point in one stream's history: the state after the event at a revision,
 * or the state at a moment (after every event of the stream that had occurred
 * by then).
 */
export type AsOf = { kind: 'revision'; revision: bigint } | { kind: 'time'; at: Date };

/** What a stream's event says about where it stands in time. */
export interface HistoryMark {
  revision: bigint;
  /** The event's `metadata.occurredAt`: when the change happened, as shown in the history. */
  occurredAt: Date;
}

/** Where a point falls in a stream's history (its events in revision order, from revision 0). */
export type AsOfPlace =
  /** The stream had no event yet: the resource did not exist. */
  | { kind: 'before_first' }
  /** A revision the stream has not reached. */
  | { kind: 'beyond_head'; head: bigint }
  /** The state after the event at `index` of the list. */
  | { kind: 'at'; index: number };

/**
 * Resolves a point against a stream's events. By time it takes the longest
 * run of events from the first whose `occurredAt` is at or before the moment,
 * so the answer is always a state the stream really passed through, even if
 * two API processes' clocks disagreed and the times are not in order.
 */
export function placeAsOf(marks: readonly HistoryMark[], asOf: AsOf): AsOfPlace {
  if (asOf.kind === 'revision') {
    const index = marks.findIndex((mark) => mark.revision === asOf.revision);
    if (index >= 0) return { kind: 'at', index };
    const head = marks.at(-1)?.revision ?? -1n;
    return asOf.revision > head ? { kind: 'beyond_head', head } : { kind: 'before_first' };
  }
  const at = asOf.at.getTime();
  const firstLater = marks.findIndex((mark) => mark.occurredAt.getTime() > at);
  const count = firstLater === -1 ? marks.length : firstLater;
  return count === 0 ? { kind: 'before_first' } : { kind: 'at', index: count - 1 };
}
