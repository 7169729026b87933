import type { Knex } from 'knex';
import { quote, type TableShape } from './columns.js';

/**
 * The read model's SQL: one statement to load the rows a batch touches and
 * one to write what it changed, whatever the batch's size. Statements are
 * built once per table shape and physical name.
 */
export class RowStore {
  private readonly statements = new Map<string, { load: string; upsert: string; upsertAndDelete: string; delete: string }>();

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

  /** Upserts `rows` and deletes `deleted` (disjoint key sets) in one statement. */
  async write(trx: Knex.Transaction, table: string, rows: readonly object[], deleted: readonly string[]): Promise<void> {
    const sql = this.sql(table);
    // The rows travel as one JSON parameter, read back with the declared column types.
    if (rows.length > 0 && deleted.length > 0) await trx.raw(sql.upsertAndDelete, [[...deleted], JSON.stringify(rows)]);
    else if (rows.length > 0) await trx.raw(sql.upsert, [JSON.stringify(rows)]);
    else if (deleted.length > 0) await trx.raw(sql.delete, [[...deleted]]);
  }

  private sql(table: string) {
    let statements = this.statements.get(table);
    if (statements) return statements;
    const { columns, primaryKey } = this.shape;
    const t = quote(table);
    const key = quote(primaryKey);
    const names = columns.map((column) => quote(column.name)).join(', ');
    // A date as its ISO text: node-postgres would make it a Date at local midnight.
    const loaded = columns.map((column) => (/^date(\[\])*$/i.test(column.sqlType) ? `${quote(column.name)}::text AS ${quote(column.name)}` : quote(column.name))).join(', ');
    const recordset = columns.map((column) => `${quote(column.name)} ${column.sqlType}`).join(', ');
    const others = columns.filter((column) => column.name !== primaryKey);
    const conflict = others.length === 0 ? 'DO NOTHING' : `DO UPDATE SET ${others.map((column) => `${quote(column.name)} = EXCLUDED.${quote(column.name)}`).join(', ')}`;
    // json, not jsonb: parsed once by the recordset, never converted to the binary form first.
    const upsert = `INSERT INTO ${t} (${names}) SELECT ${names} FROM json_to_recordset(?::json) AS r(${recordset}) ON CONFLICT (${key}) ${conflict}`;
    statements = {
      load: `SELECT ${loaded} FROM ${t} WHERE ${key} = ANY(?)`,
      upsert,
      // One round trip: the delete rides along as a data-modifying CTE (its keys never meet the upsert's).
      upsertAndDelete: `WITH deleted AS (DELETE FROM ${t} WHERE ${key} = ANY(?)) ${upsert}`,
      delete: `DELETE FROM ${t} WHERE ${key} = ANY(?)`,
    };
    this.statements.set(table, statements);
    return statements;
  }
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
