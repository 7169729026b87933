import type { Knex } from 'knex';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';

export type CopyValue = string | number | bigint | boolean | Date | null;

/**
 * Bulk-inserts rows inside the batch's transaction with COPY FROM STDIN, the
 * fastest way PostgreSQL loads rows (about 1.6x an INSERT of unnested arrays
 * here). For append-only read models; upserts still need INSERT ... ON CONFLICT.
 */
export async function copyRows(trx: Knex.Transaction, table: string, columns: readonly string[], rows: Iterable<readonly CopyValue[]>): Promise<void> {
  const lines: string[] = [];
  for (const row of rows) lines.push(row.map(encode).join('\t'));
  if (lines.length === 0) return;
  // The transaction's own connection, so the rows commit (or roll back) with the checkpoint.
  const connection = (await (trx.client as { acquireConnection(): Promise<pg.PoolClient> }).acquireConnection()) as pg.PoolClient;
  const columnList = columns.map((column) => `"${column}"`).join(', ');
  await new Promise<void>((resolve, reject) => {
    const stream = connection.query(copyFrom(`COPY "${table}" (${columnList}) FROM STDIN`));
    stream.on('finish', resolve);
    stream.on('error', reject);
    stream.end(`${lines.join('\n')}\n`);
  });
}

function encode(value: CopyValue): string {
  if (value === null) return '\\N';
  if (value instanceof Date) return value.toISOString();
  const text = String(value);
  return /[\\\t\n\r]/.test(text) ? text.replace(/[\\\t\n\r]/g, (character) => ESCAPES[character]!) : text;
}

const ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };
