import type { z } from 'zod';
import type { Position } from '../infra/event-store/event-store.js';

/**
 * How an aggregate's folded state may be kept as a snapshot, so loading it
 * reads only the events after the snapshot: a user stream that gains an
 * event at every login then costs the same to load after ten thousand
 * logins as after one.
 */
export interface SnapshotPolicy<State> {
  /**
   * Bump when evolve or the state's shape changes: snapshots of another
   * version are ignored (and replaced), never trusted.
   */
  version: number;
  /** Checks a stored snapshot before it is trusted, as events read from the store are checked. */
  schema: z.ZodType<State>;
}

export interface StoredSnapshot {
  aggregate: string;
  version: number;
  /** Revision of the last event folded into `state`. */
  revision: bigint;
  /** Log position of that event. */
  position: Position | undefined;
  state: unknown;
}

/**
 * Where snapshots live. A snapshot is a cache of a fold, never a source of
 * truth: loading still reads every event after it, so a lost, stale or
 * foreign snapshot costs time, not correctness.
 */
export interface SnapshotStore {
  load(stream: string): Promise<StoredSnapshot | undefined>;
  /** Keeps the snapshot unless one of the same version at a later revision is already stored. */
  save(stream: string, snapshot: StoredSnapshot): Promise<void>;
}

/** A snapshot is written once this many events have been folded past the last one. */
export const SNAPSHOT_EVERY = 16;
