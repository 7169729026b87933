import type { Position } from '../infra/event-store/event-store.js';

/** A stream's state as this process last folded it. */
export interface RecentFold {
  aggregate: string;
  /** The snapshot policy's version: a fold of another version is not reused. */
  version: number;
  state: unknown;
  /** Revision of the last event folded into `state`. */
  revision: bigint;
  position: Position | undefined;
  /** Revision of the stream's stored snapshot when it was folded, to tell when the next one is due. */
  snapshotRevision: bigint;
}

const DEFAULT_CAPACITY = 10_000;

/**
 * The state each recently loaded stream was folded to in this process, for
 * aggregates with a snapshot policy (the streams loaded on every request: a
 * user's). A load starts from it and reads only the events recorded since,
 * so checking a user costs one read that usually finds nothing new, instead
 * of a snapshot row and then that read. Like a snapshot it is a cache of a
 * fold, never a source of truth: the events after it are always read, so a
 * change made by any process is seen on the next load.
 *
 * Bounded: the least recently used streams are forgotten first.
 */
export class RecentFolds {
  private readonly folds = new Map<string, RecentFold>();

  constructor(private readonly capacity = DEFAULT_CAPACITY) {}

  get(stream: string, aggregate: string, version: number): RecentFold | undefined {
    const fold = this.folds.get(stream);
    if (!fold || fold.aggregate !== aggregate || fold.version !== version) return undefined;
    // Most recently used last: a Map iterates in insertion order.
    this.folds.delete(stream);
    this.folds.set(stream, fold);
    return fold;
  }

  /** Keeps a fold unless one of a later revision is already kept (a slower load finishing last). */
  remember(stream: string, fold: RecentFold): void {
    const known = this.folds.get(stream);
    if (known && known.aggregate === fold.aggregate && known.version === fold.version && known.revision > fold.revision) return;
    this.folds.delete(stream);
    // Shared by every later load of the stream: frozen, so a caller changing it in place throws instead of corrupting the next one.
    this.folds.set(stream, { ...fold, state: deepFreeze(fold.state) });
    if (this.folds.size > this.capacity) this.folds.delete(this.folds.keys().next().value!);
  }

  get size(): number {
    return this.folds.size;
  }
}

function deepFreeze<T>(value: T): T {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return value;
  for (const inner of Object.values(value)) deepFreeze(inner);
  return Object.freeze(value);
}
