import type { Knex } from 'knex';
import type { EventFilter, Position, RecordedEvent } from '../infra/event-store/event-store.js';

/**
 * Physical table names by the base names a projection declares. Queries use
 * the base names (views the engine points at the live generation); setup and
 * apply use the physical names they are given, so the same code builds the
 * live tables and, during a replay, the new generation beside them.
 */
export type ProjectionTables<Base extends string = string> = { readonly [K in Base]: string };

export interface SetupOptions {
  /**
   * The tables are about to be filled from the start of the log by a replay,
   * before any query reads them: setup may leave out what only queries need
   * (secondary indexes) for completeSetup to add once the rows are in, since
   * one index build over a loaded table costs far less than keeping the index
   * up to date row by row (a GIN index above all).
   */
  bulkLoad?: boolean;
}

/** A stretch of the log: the events after `after` (the start of the log when undefined) up to and with `through`. */
export interface LogSpan {
  after: Position | undefined;
  through: Position;
}

export interface Projection<Base extends string = string> {
  /** Unique, stable; `[a-z][a-z0-9_]*`. */
  readonly name: string;
  /** Bump when apply or the tables change: the engine rebuilds the projection beside the live one. */
  readonly version: number;
  /** Only these events reach apply; the subscription filters them in the store. */
  readonly filter: EventFilter;
  /**
   * Apply gets the events as the log stores them, not upcast: for a
   * projection about the stored bytes themselves (the audit seal hashes
   * them), which must not change when an upcaster is added.
   */
  readonly storedEvents?: boolean;
  /**
   * The PostgreSQL schema its tables and their views live in, created when
   * missing (`warehouse`); the connection's current schema when omitted. With
   * a schema, the names setup and apply are given are qualified
   * (`warehouse.facts__v1_g2`): write them with `quoteTable`.
   */
  readonly schema?: string;
  /**
   * Events per live transaction, over the engine's batchEvents: for a
   * projection whose batches cost mostly a fixed number of statements (the
   * warehouse's COPY and set-based inserts), so that a busy log is taken in
   * with fewer, larger transactions.
   */
  readonly batchEvents?: number;
  /**
   * Events per replay transaction, over the engine's replayBatchEvents: for
   * a projection whose events or rows are large (posts' bodies), so that a
   * batch and the page read ahead of it stay small enough for V8's young
   * generation instead of being promoted and swept as old objects.
   */
  readonly replayBatchEvents?: number;
  /**
   * Following the log live, read it at most this often, so that what commits
   * meanwhile comes in one batch: for a projection nobody waits on in a hurry (the
   * audit seal), so that a busy log costs it a few large batches a second
   * rather than a read and a transaction for every commit.
   */
  readonly followEveryMs?: number;
  /** Base names, `[a-z][a-z0-9_]*`, at most 40 characters (suffixes must fit PostgreSQL's 63). */
  readonly tables: readonly Base[];
  /** Creates the tables (and their indexes, unless `bulkLoad` lets it leave them to completeSetup) under the names given. */
  setup(trx: Knex.Transaction, tables: ProjectionTables<Base>, options?: SetupOptions): Promise<void>;
  /**
   * After a bulk load (setup with `bulkLoad`), before queries use the tables:
   * adds what setup left out. Idempotent: a replay resumed after a crash may
   * call it again, and it may run whether or not setup left anything out.
   */
  completeSetup?(trx: Knex.Transaction, tables: ProjectionTables<Base>): Promise<void>;
  /**
   * Writes one batch, in log order, inside the transaction that also stores
   * the checkpoint. It must be deterministic: a replay has to produce the
   * same rows. It must not catch its own errors: a throw marks the failing
   * event, found by re-applying the batch one event at a time.
   */
  apply(events: readonly RecordedEvent[], trx: Knex.Transaction, tables: ProjectionTables<Base>): Promise<void>;
  /**
   * Takes the place of apply where the store can follow its log without
   * sending the events (PostgreSQL, whose log shares the read models'
   * database: infra/event-store/position-source.ts). Given a stretch of the
   * log, it reads what it needs of those events itself, in SQL, inside the
   * batch's transaction, and returns how many there were; no event crosses the
   * wire. It must write exactly what apply writes for the same events (apply
   * stays the way on other stores), and take every event: the filter must be empty.
   */
  applySpan?(span: LogSpan, trx: Knex.Transaction, tables: ProjectionTables<Base>): Promise<number>;
}

/** A projection of any table set, as the engine holds them in one list (methods are bivariant, so any Base fits). */
export type AnyProjection = Projection<string>;

const NAME = /^[a-z][a-z0-9_]*$/;
const MAX_BASE_NAME = 40;

export function validateProjections(projections: readonly AnyProjection[]): void {
  const names = new Set<string>();
  const tables = new Set<string>();
  for (const projection of projections) {
    if (!NAME.test(projection.name)) throw new Error(`projection name ${JSON.stringify(projection.name)} must match ${NAME}`);
    if (names.has(projection.name)) throw new Error(`two projections are named ${projection.name}`);
    names.add(projection.name);
    if (projection.schema !== undefined && (!NAME.test(projection.schema) || projection.schema.startsWith('pg_'))) {
      throw new Error(`projection ${projection.name}: schema ${JSON.stringify(projection.schema)} must match ${NAME} and not start with pg_`);
    }
    for (const setting of ['batchEvents', 'replayBatchEvents'] as const) {
      const value = projection[setting];
      if (value !== undefined && (!Number.isInteger(value) || value < 1)) throw new Error(`projection ${projection.name}: ${setting} must be a positive integer`);
    }
    if (projection.applySpan && (projection.filter.streamPrefixes !== undefined || projection.filter.eventTypes !== undefined)) {
      throw new Error(`projection ${projection.name}: applySpan takes every event, so its filter must be empty`);
    }
    if (!Number.isInteger(projection.version) || projection.version < 1) throw new Error(`projection ${projection.name}: version must be a positive integer`);
    for (const table of projection.tables as readonly string[]) {
      if (!NAME.test(table) || table.length > MAX_BASE_NAME || table.includes('__')) {
        throw new Error(`projection ${projection.name}: table ${JSON.stringify(table)} must match ${NAME}, without "__", at most ${MAX_BASE_NAME} characters`);
      }
      const view = projection.schema === undefined ? table : `${projection.schema}.${table}`;
      if (tables.has(view)) throw new Error(`table ${view} belongs to two projections`);
      tables.add(view);
    }
  }
}
