import type { Knex } from 'knex';
import { ReadModelDefinitionError } from './errors.js';

/**
 * A column as declared, SQL after the name: `'uuid primary key'`,
 * `'text not null'`, `'text[] not null'`, `'jsonb'`, `'timestamptz not null'`,
 * `'bigint not null'`, `'numeric(40,0)'`. The type (what comes before the
 * first constraint) is also how the batch's JSON rows are read back into SQL.
 */
export type ColumnDeclaration = string;

export interface Column {
  readonly name: string;
  /** The declared type alone, e.g. `text[]` or `numeric(40,0)`. */
  readonly sqlType: string;
  readonly declaration: string;
}

/** What the table looks like, parsed once when the read model is defined. */
export interface TableShape {
  /** The columns evolve's rows carry, in declaration order: loaded and written. */
  readonly columns: readonly Column[];
  readonly primaryKey: string;
  /** Columns PostgreSQL computes (`GENERATED ALWAYS AS (...) STORED`): created, never written nor loaded. */
  readonly generated: ReadonlyArray<readonly [name: string, declaration: string]>;
  readonly indexes: readonly string[];
}

const NAME = /^[a-z_][a-z0-9_]*$/;
/** Where the type ends: the first constraint keyword. */
const CONSTRAINT = /\s(?:primary\s+key|not\s+null|null|default|references|check|unique|collate|constraint|generated)\b/i;
/** `text`, `double precision`, `numeric(40,0)`, `character varying(100)`, `text[]`, `timestamp with time zone`. */
const SQL_TYPE = /^[a-z_][a-z0-9_]*(?: [a-z_][a-z0-9_]*)*(?:\(\s*\d+(?:\s*,\s*\d+)?\s*\))?(?:\[\])*$/i;
const PRIMARY_KEY = /\bprimary\s+key\b/i;
const GENERATED = /\bgenerated\s+always\s+as\b/i;

export function parseTableShape(
  readModel: string,
  declarations: Readonly<Record<string, ColumnDeclaration>>,
  generated: Readonly<Record<string, string>> = {},
  indexes: readonly string[] = [],
): TableShape {
  const fail = (detail: string): never => {
    throw new ReadModelDefinitionError(readModel, detail);
  };
  const columns = Object.entries(declarations).map(([name, declaration]): Column => {
    if (!NAME.test(name)) fail(`column ${JSON.stringify(name)} must match ${NAME}`);
    if (GENERATED.test(declaration)) fail(`column ${name} is generated: declare it under generated, since rows never carry it`);
    const sqlType = declaration.split(CONSTRAINT)[0]!.trim();
    if (!SQL_TYPE.test(sqlType)) fail(`column ${name}: cannot read a type from ${JSON.stringify(declaration)}`);
    return { name, sqlType, declaration };
  });
  const keys = columns.filter((column) => PRIMARY_KEY.test(column.declaration));
  if (keys.length !== 1) fail(`exactly one column must be declared "primary key" (found ${keys.length})`);
  for (const [name, declaration] of Object.entries(generated)) {
    if (!NAME.test(name) || name in declarations) fail(`generated column ${JSON.stringify(name)} must match ${NAME} and not repeat a column`);
    if (!GENERATED.test(declaration)) fail(`generated column ${name} must be declared GENERATED ALWAYS AS (...) STORED`);
  }
  return { columns, primaryKey: keys[0]!.name, generated: Object.entries(generated), indexes };
}

export function quote(identifier: string): string {
  return `"${identifier.replace(/"/g, '""')}"`;
}

/**
 * The table under the physical name given (a new generation during a
 * replay), with its indexes unless `withIndexes` is false (a bulk load adds
 * them afterwards with createIndexes).
 */
export async function createTable(trx: Knex.Transaction, table: string, shape: TableShape, withIndexes = true): Promise<void> {
  const definitions = [
    ...shape.columns.map((column) => `${quote(column.name)} ${column.declaration}`),
    ...shape.generated.map(([name, declaration]) => `${quote(name)} ${declaration}`),
  ];
  await trx.raw(`CREATE TABLE ${quote(table)} (\n  ${definitions.join(',\n  ')}\n)`);
  if (withIndexes) await createIndexes(trx, table, shape);
}

/** The declared secondary indexes, those already there left alone (so it may run again). */
export async function createIndexes(trx: Knex.Transaction, table: string, shape: TableShape): Promise<void> {
  // Named after the physical table, so each generation's index names are its own.
  for (const [i, index] of shape.indexes.entries()) await trx.raw(`CREATE INDEX IF NOT EXISTS ${quote(`${table}_i${i + 1}`)} ON ${quote(table)} ${index}`);
}
