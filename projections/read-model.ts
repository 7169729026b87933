import type { Knex } from 'knex';
import type { z } from 'zod';
import type { DomainEvent, RecordedDomainEvent } from '../domain/shared/events.js';
import type { EventMetadata } from '../domain/shared/metadata.js';
import type { EventFilter, Position, RecordedEvent } from '../infra/event-store/event-store.js';
import type { Projection, ProjectionTables, SetupOptions } from './projection.js';
import { createIndexes, createTable, parseTableShape, type ColumnDeclaration, type TableShape } from './read-model/columns.js';
import { ReadModelDefinitionError, ReadModelEventError, ReadModelKeyMismatchError } from './read-model/errors.js';
import { RowStore } from './read-model/row-store.js';

export { ReadModelDefinitionError, ReadModelEventError, ReadModelKeyMismatchError } from './read-model/errors.js';
export type { ColumnDeclaration } from './read-model/columns.js';

/** An event as evolve and key see it: parsed by the read model's union, with where and when it was recorded. */
export type ReadModelEvent<Event extends DomainEvent> = RecordedDomainEvent<Event> & {
  /** The event's own id. */
  readonly id: string;
  readonly position: Position;
  /** The store's clock, the same on every replay: rows take their times from here, never from the applying process. */
  readonly recordedAt: Date;
};

/**
 * What a row may hold: values that come back from PostgreSQL as they went in.
 * Timestamps are ISO strings (`toISOString()`), bigint and numeric columns
 * strings, jsonb any JSON value, arrays arrays; no `undefined` (use null).
 */
export type RowShape<Row> = { [K in keyof Row]: [Extract<Row[K], Date | bigint | undefined>] extends [never] ? Row[K] : never };

export interface ReadModelDefinition<Row extends RowShape<Row>, Event extends DomainEvent, Table extends string> {
  /** The projection's name: unique, stable, `[a-z][a-z0-9_]*`. */
  readonly name: string;
  /** Bump when evolve, key or the columns change: the engine rebuilds the rows beside the live ones. */
  readonly version: number;
  /** The base name queries use (a view on the live generation). */
  readonly table: Table;
  /** The domain's zod union of `{ type, data }`; events are parsed with it (after upcasting) before key and evolve. */
  readonly events: z.ZodType<Event>;
  /**
   * Which events the store delivers. Its event types default to every type
   * of the union, and may only narrow them: so an event the union does not
   * know never reaches the read model, and a known one that fails its schema
   * is an error (ReadModelEventError), never skipped.
   */
  readonly filter?: EventFilter;
  /** Events per replay transaction, when the engine's default would make batches too large to stay young (Projection.replayBatchEvents). */
  readonly replayBatchEvents?: number;
  /** Every field of the row, once, with its SQL: `{ id: 'uuid primary key', tags: 'text[] not null', ... }`. */
  readonly columns: { readonly [K in keyof Row]-?: ColumnDeclaration };
  /** Columns PostgreSQL computes and rows never carry: `{ search: "tsvector GENERATED ALWAYS AS (...) STORED" }`. */
  readonly generated?: Readonly<Record<string, string>>;
  /** After `CREATE INDEX name ON table`: `'(tenant_id, created_at DESC, id DESC)'`, `'USING gin (search)'`. */
  readonly indexes?: readonly string[];
  /**
   * Anything else the table needs, run after it exists, on the physical name
   * given; its declared indexes exist too, except in a replay, which adds
   * them once its rows are loaded.
   */
  setup?(trx: Knex.Transaction, table: string): Promise<void>;
  /** The row an event is about: its primary key as PostgreSQL prints it (a uuid in lower case), or undefined for none. */
  key(event: ReadModelEvent<Event>): string | undefined;
  /**
   * The row after the event; null deletes it. Pure: a replay must build the
   * same rows. Return the row itself when nothing changes, a new object when
   * something does (rows are frozen, one level deep: changing one in place throws).
   */
  evolve(row: Row | null, event: ReadModelEvent<Event>): Row | null;
}

/** A projection with its table's shape, so specifications and queries can name its rows. */
export interface ReadModel<Table extends string = string> extends Projection<Table> {
  readonly table: Table;
  readonly primaryKey: string;
  /** The columns rows carry (generated ones excluded), in declaration order. */
  readonly columns: readonly string[];
  /** Builds the declared indexes a bulk load's setup left out (those already there are kept). */
  completeSetup(trx: Knex.Transaction, tables: ProjectionTables<Table>): Promise<void>;
}

/**
 * A read model written as `evolve(row | null, event) → row | null`. Each
 * batch costs at most three statements whatever its size: the rows of every
 * key the batch touches are loaded at once, the events folded over them in
 * memory in log order, then the new rows COPied in and the changed ones
 * updated at once, with the delete of the nulls in the same statement. So
 * one batch may create, change and delete the same row, and the result
 * never depends on where batches were cut: live (small batches) and replay
 * (large) agree.
 */
export function readModel<Row extends RowShape<Row>, Event extends DomainEvent, Table extends string>(
  definition: ReadModelDefinition<Row, Event, Table>,
): ReadModel<Table> {
  const { name, table } = definition;
  const shape = parseTableShape(name, definition.columns as Readonly<Record<string, ColumnDeclaration>>, definition.generated, definition.indexes);
  const known = knownTypes(name, definition.events);
  const filter = narrowedFilter(name, definition.filter, known);
  const store = new RowStore(shape);
  const parse = eventParser<Event>(name, definition.events);

  return {
    name,
    version: definition.version,
    filter,
    ...(definition.replayBatchEvents === undefined ? {} : { replayBatchEvents: definition.replayBatchEvents }),
    tables: [table],
    table,
    primaryKey: shape.primaryKey,
    columns: shape.columns.map((column) => column.name),
    async setup(trx: Knex.Transaction, tables: ProjectionTables<Table>, options?: SetupOptions) {
      await createTable(trx, tables[table], shape, !options?.bulkLoad);
      await definition.setup?.(trx, tables[table]);
    },
    async completeSetup(trx: Knex.Transaction, tables: ProjectionTables<Table>) {
      await createIndexes(trx, tables[table], shape);
    },
    async apply(events: readonly RecordedEvent[], trx: Knex.Transaction, tables: ProjectionTables<Table>) {
      const touched: Array<{ key: string; event: ReadModelEvent<Event> }> = [];
      for (const recorded of events) {
        // Cannot happen through the store (the filter names known types only); a hand-fed batch may carry others.
        if (!known.has(recorded.type)) continue;
        const event = parse(recorded);
        const key = definition.key(event);
        if (key !== undefined) touched.push({ key, event });
      }
      if (touched.length === 0) return;
      const physical = tables[table];
      const stored = await store.load(trx, physical, [...new Set(touched.map(({ key }) => key))]);
      const current = new Map<string, Row | null>();
      for (const { key, event } of touched) {
        const before = current.has(key) ? (current.get(key) as Row | null) : ((stored.get(key) as Row | undefined) ?? null);
        const after = definition.evolve(before === null ? null : frozen(before), event);
        current.set(key, after === null ? null : frozen(after));
      }
      const inserted: Row[] = [];
      const updated: Row[] = [];
      const deleted: string[] = [];
      for (const [key, row] of current) {
        const before = stored.get(key);
        if (row === null) {
          if (before) deleted.push(key);
        } else if (row !== before) {
          const rowKey = (row as Record<string, unknown>)[shape.primaryKey];
          if (String(rowKey) !== key) throw new ReadModelKeyMismatchError(name, key, rowKey);
          (before ? updated : inserted).push(row);
        }
      }
      await store.write(trx, physical, { inserted, updated, deleted });
    },
  };
}

/**
 * Unchanged rows are recognised by identity (evolve returned the row it was
 * given), so a row changed in place would never be written: freezing makes
 * that mistake throw instead (the row and its arrays and objects, one level).
 */
function frozen<Row>(row: Row): Row {
  if (Object.isFrozen(row)) return row;
  for (const value of Object.values(row as object)) if (typeof value === 'object' && value !== null) Object.freeze(value);
  return Object.freeze(row);
}

/** The `type` values the union can parse, read from zod's own record of its discriminator. */
function knownTypes(readModel: string, events: z.ZodType): ReadonlySet<string> {
  const values = events._zod.propValues?.['type'];
  const types = values ? [...values].filter((value): value is string => typeof value === 'string') : [];
  if (types.length === 0) throw new ReadModelDefinitionError(readModel, 'events must be a zod union of { type: z.literal(...), data } objects');
  return new Set(types);
}

function narrowedFilter(readModel: string, filter: EventFilter | undefined, known: ReadonlySet<string>): EventFilter {
  const unknown = filter?.eventTypes?.filter((type) => !known.has(type)) ?? [];
  if (unknown.length > 0) throw new ReadModelDefinitionError(readModel, `the filter names event types the union does not know: ${unknown.join(', ')}`);
  return { ...filter, eventTypes: filter?.eventTypes ?? [...known] };
}

function eventParser<Event extends DomainEvent>(readModel: string, events: z.ZodType<Event>): (recorded: RecordedEvent) => ReadModelEvent<Event> {
  return (recorded) => {
    const parsed = events.safeParse({ type: recorded.type, data: recorded.data });
    if (!parsed.success) throw new ReadModelEventError(readModel, recorded.type, recorded.position, parsed.error.issues.map((issue) => issue.path.join('.')));
    return {
      ...parsed.data,
      // Written by the command handler, which validated it: trusted here, as the contract of the log.
      metadata: recorded.metadata as EventMetadata,
      streamId: recorded.stream,
      revision: recorded.revision,
      id: recorded.id,
      position: recorded.position,
      recordedAt: recorded.recordedAt,
    };
  };
}
