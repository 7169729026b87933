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

/** Streams kept at most: the size of the states kept is the bound that matters, this one caps the map's own overhead. */
const DEFAULT_CAPACITY = 100_000;
/** About 64 MB of folded state (strings counted at 2 bytes a character). */
const DEFAULT_MAX_WEIGHT = 64 * 1024 * 1024;
/** What a number, boolean, null or the frame of an object or array is counted as. */
const VALUE_WEIGHT = 16;

interface KeptFold {
  fold: RecentFold;
  weight: number;
}

/**
 * The state each recently loaded or changed stream was folded to in this
 * process. A command decides on it without reading the stream, its append
 * checked against the fold's revision (command-handler.ts); a load of a
 * snapshotted stream (a user's, loaded on every request) starts from it and
 * reads only the events recorded since, so checking a user costs one read
 * that usually finds nothing new, instead of a snapshot row and then that
 * read. Like a snapshot it is a cache of a fold, never a source of truth: a
 * change made by any process is seen on the next load, and refuses the next
 * append decided on a fold that missed it.
 *
 * Bounded by count and by the approximate size of the states kept (a post's
 * body may be 100 KB): the least recently used streams are forgotten first.
 */
export class RecentFolds {
  private readonly folds = new Map<string, KeptFold>();
  private weight = 0;

  constructor(
    private readonly capacity = DEFAULT_CAPACITY,
    private readonly maxWeight = DEFAULT_MAX_WEIGHT,
  ) {}

  get(stream: string, aggregate: string, version: number): RecentFold | undefined {
    const kept = this.folds.get(stream);
    if (!kept || kept.fold.aggregate !== aggregate || kept.fold.version !== version) return undefined;
    // Most recently used last: a Map iterates in insertion order.
    this.folds.delete(stream);
    this.folds.set(stream, kept);
    return kept.fold;
  }

  /** Keeps a fold unless one of a later revision is already kept (a slower load finishing last). */
  remember(stream: string, fold: RecentFold): void {
    const known = this.folds.get(stream)?.fold;
    if (known && known.aggregate === fold.aggregate && known.version === fold.version && known.revision > fold.revision) return;
    this.forget(stream);
    const weight = stream.length * 2 + weigh(fold.state);
    // A state larger than the whole budget is not kept: it would only push out everything else.
    if (weight > this.maxWeight) return;
    // Shared by every later load of the stream: frozen, so a caller changing it in place throws instead of corrupting the next one.
    this.folds.set(stream, { fold: { ...fold, state: deepFreeze(fold.state) }, weight });
    this.weight += weight;
    while (this.folds.size > this.capacity || this.weight > this.maxWeight) this.forget(this.folds.keys().next().value!);
  }

  get size(): number {
    return this.folds.size;
  }

  private forget(stream: string): void {
    const kept = this.folds.get(stream);
    if (!kept) return;
    this.folds.delete(stream);
    this.weight -= kept.weight;
  }
}

function deepFreeze<T>(value: T): T {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return value;
  for (const inner of Object.values(value)) deepFreeze(inner);
  return Object.freeze(value);
}

/** Roughly the memory a state holds: its strings' characters at 2 bytes, and a flat cost per other value. */
function weigh(value: unknown): number {
  if (typeof value === 'string') return VALUE_WEIGHT + value.length * 2;
  if (typeof value !== 'object' || value === null) return VALUE_WEIGHT;
  let total = VALUE_WEIGHT;
  for (const [key, inner] of Object.entries(value)) total += key.length * 2 + weigh(inner);
  return total;
}
