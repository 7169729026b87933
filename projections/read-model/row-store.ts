import type { Knex } from 'knex';
import { copyRows, type CopyValue } from '../copy-rows.js';
import { quote, type Column, type TableShape } from './columns.js';

/** What a batch changed, by the state of each key before it. */
export interface RowChanges {
  /** Rows of keys the table did not hold. */
  inserted: readonly object[];
  /** Rows of keys it held, changed. */
  updated: readonly object[];
  /** Keys it held whose row is gone. */
  deleted: readonly string[];
}

interface Statements {
  load: string;
  update: string;
  updateAndDelete: string;
  delete: string;
}

/**
 * The read model's SQL, a fixed number of statements per batch whatever its
 * size: one load of the rows the batch touches; then its new rows COPied in
 * (no other writer exists: the engine fences one owner per projection, so a
 * key the load did not find is free), and its changed rows updated from one
 * JSON parameter with the deletes riding along in the same statement.
 * In a replay nearly every row is new, so it costs about what a hand-written
 * COPY projection costs.
 */
export class RowStore {
  private readonly statements = new Map<string, Statements>();

  constructor(private readonly shape: TableShape) {}

  /** The stored rows of these keys, as evolve sees rows (see normalise). */
  async load(trx: Knex.Transaction, table: string, keys: readonly string[]): Promise<Map<string, Record<string, unknown>>> {
    const found = new Map<string, Record<string, unknown>>();
    if (keys.length === 0) return found;
    const { rows } = await trx.raw<{ rows: Record<string, unknown>[] }>(this.sql(table).load, [[...keys]]);
    const key = this.shape.primaryKey;
    for (const row of rows) found.set(String(row[key]), normalise(row));
    return found;
  }

  async write(trx: Knex.Transaction, table: string, changes: RowChanges): Promise<void> {
    const { columns } = this.shape;
    if (changes.inserted.length > 0) {
      const values = changes.inserted.map((row) => columns.map((column) => copyValue((row as Record<string, unknown>)[column.name], column)));
      await copyRows(trx, table, columns.map((column) => column.name), values);
    }
    const sql = this.sql(table);
    const { updated, deleted } = changes;
    // The rows travel as one JSON parameter, read back with the declared column types.
    if (updated.length > 0 && deleted.length > 0) await trx.raw(sql.updateAndDelete, [[...deleted], JSON.stringify(updated)]);
    else if (updated.length > 0) await trx.raw(sql.update, [JSON.stringify(updated)]);
    else if (deleted.length > 0) await trx.raw(sql.delete, [[...deleted]]);
  }

  private sql(table: string): Statements {
    let statements = this.statements.get(table);
    if (statements) return statements;
    const { columns, primaryKey } = this.shape;
    const t = quote(table);
    const key = quote(primaryKey);
    // A date as its ISO text: node-postgres would make it a Date at local midnight.
    const loaded = columns.map((column) => (/^date(\[\])*$/i.test(column.sqlType) ? `${quote(column.name)}::text AS ${quote(column.name)}` : quote(column.name))).join(', ');
    const recordset = columns.map((column) => `${quote(column.name)} ${column.sqlType}`).join(', ');
    const others = columns.filter((column) => column.name !== primaryKey);
    // A table of keys alone has nothing to update: `SET pk = pk` keeps the statement valid.
    const assignments = (others.length > 0 ? others : columns).map((column) => `${quote(column.name)} = r.${quote(column.name)}`).join(', ');
    // json, not jsonb: parsed once by the recordset, never converted to the binary form first.
    const update = `UPDATE ${t} AS t SET ${assignments} FROM json_to_recordset(?::json) AS r(${recordset}) WHERE t.${key} = r.${key}`;
    statements = {
      load: `SELECT ${loaded} FROM ${t} WHERE ${key} = ANY(?)`,
      update,
      // One round trip: the delete rides along as a data-modifying CTE (its keys never meet the update's).
      updateAndDelete: `WITH deleted AS (DELETE FROM ${t} WHERE ${key} = ANY(?)) ${update}`,
      delete: `DELETE FROM ${t} WHERE ${key} = ANY(?)`,
    };
    this.statements.set(table, statements);
    return statements;
  }
}

/**
 * A row's value in COPY's text form, as json_to_recordset would read the
 * same value from JSON: arrays as array literals, json and jsonb columns as
 * JSON (a JSON null is SQL NULL, as there), objects elsewhere as JSON text.
 */
function copyValue(value: unknown, column: Column): CopyValue {
  if (value === null || value === undefined) return null;
  if (/^jsonb?$/i.test(column.sqlType)) return JSON.stringify(value);
  if (Array.isArray(value)) return arrayLiteral(value);
  if (typeof value === 'object') return JSON.stringify(value);
  return value as CopyValue;
}

/** `{"a","b \"quoted\"",NULL}`: every element quoted, so commas, braces and spaces need no thought. */
function arrayLiteral(values: readonly unknown[]): string {
  const elements = values.map((element) => {
    if (element === null || element === undefined) return 'NULL';
    if (Array.isArray(element)) return arrayLiteral(element);
    const text = typeof element === 'object' ? JSON.stringify(element) : String(element);
    return `"${text.replace(/[\\"]/g, (character) => `\\${character}`)}"`;
  });
  return `{${elements.join(',')}}`;
}

/**
 * A loaded row in the shape evolve produced it: timestamps back to ISO
 * strings (node-postgres gives Dates). bigint and numeric already arrive as
 * strings, jsonb as its JSON value, arrays as arrays. So a row reads the same
 * whether it was evolved earlier in this batch or loaded from an earlier one,
 * and batch boundaries (live 500, replay 20,000) never change the result.
 */
function normalise(row: Record<string, unknown>): Record<string, unknown> {
  for (const name in row) {
    const value = row[name];
    if (value instanceof Date) row[name] = value.toISOString();
    else if (Array.isArray(value) && value[0] instanceof Date) row[name] = value.map((item: unknown) => (item instanceof Date ? item.toISOString() : item));
  }
  return row;
}
