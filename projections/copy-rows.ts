import type { Knex } from 'knex';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { quoteTable } from './engine/table-names.js';

export type CopyValue = string | number | bigint | boolean | Date | null;

/**
 * Bulk-inserts rows inside the batch's transaction with COPY FROM STDIN, the
 * fastest way PostgreSQL loads rows (about 1.6x an INSERT of unnested arrays
 * here). For append-only read models; upserts still need INSERT ... ON CONFLICT.
 */
export async function copyRows(trx: Knex.Transaction, table: string, columns: readonly string[], rows: Iterable<readonly CopyValue[]>): Promise<void> {
  let text = '';
  for (const row of rows) {
    for (let i = 0; i < row.length; i++) text += (i === 0 ? '' : '\t') + encode(row[i]!);
    text += '\n';
  }
  if (text.length === 0) return;
  // The transaction's own connection, so the rows commit (or roll back) with the checkpoint.
  const connection = (await (trx.client as { acquireConnection(): Promise<pg.PoolClient> }).acquireConnection()) as pg.PoolClient;
  const columnList = columns.map((column) => `"${column}"`).join(', ');
  await new Promise<void>((resolve, reject) => {
    const stream = connection.query(copyFrom(`COPY ${quoteTable(table)} (${columnList}) FROM STDIN`));
    stream.on('finish', resolve);
    stream.on('error', reject);
    stream.end(text);
  });
}

function encode(value: CopyValue): string {
  if (value === null) return '\\N';
  if (typeof value !== 'string') return value instanceof Date ? value.toISOString() : String(value);
  return /[\\\t\n\r]/.test(value) ? value.replace(/[\\\t\n\r]/g, (character) => ESCAPES[character]!) : value;
}

const ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };
