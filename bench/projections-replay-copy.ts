/**
 * The replay bench's baselines: the read model's rows loaded by COPY, with no
 * projection engine in between. Both read the rows eventIndexProjection
 * writes from the PostgreSQL event store's `events` table.
 */
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import type { Knex } from 'knex';
import pg from 'pg';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';
import { EVENT_INDEX_COLUMNS } from './projections-replay-model.js';

export interface CopyFigure {
  rows: number;
  seconds: number;
}

/** position, stream, event_type, title, recorded_at: the projection's row, position as encodePosition makes it (tx_id << 32 | idx). */
const READ_MODEL_ROWS = `SELECT (tx_id::text::numeric * 4294967296 + idx), stream_id, event_type, data->>'title', recorded_at FROM events ORDER BY tx_id, idx`;

/** Large enough that per-message overhead vanishes, small enough to stream. */
const CHUNK_BYTES = 1 << 20;

/**
 * The limit for a client: the rows are fetched and encoded (COPY text format)
 * before the timer, as a client that already holds its rows; the timer covers
 * only COPY FROM STDIN of 1 MiB chunks into a fresh table of the same shape,
 * primary key included, committed.
 */
export async function copyFromStdin(databaseUrl: string): Promise<CopyFigure> {
  return timedCopyFromStdin(databaseUrl, READ_MODEL_ROWS, 'bench_copy_stdin', async (client) => {
    await client.query(`DROP TABLE IF EXISTS bench_copy_stdin; CREATE TABLE bench_copy_stdin (${EVENT_INDEX_COLUMNS})`);
  });
}

/**
 * The rows `select` gives, fetched and encoded before the timer; timed: COPY
 * FROM STDIN of 1 MiB chunks into `target` (which may name its columns, as
 * `table (a, b)`), made fresh by `createTarget`, committed.
 */
export async function timedCopyFromStdin(
  databaseUrl: string,
  select: string,
  target: string,
  createTarget: (client: pg.Client) => Promise<void>,
  /** Timed too, after the COPY has committed: what the loaded table still needs (a bulk load's index builds). */
  completeTarget?: () => Promise<void>,
): Promise<CopyFigure> {
  const client = new pg.Client(databaseUrl);
  await client.connect();
  try {
    await createTarget(client);
    const encoded: Buffer[] = [];
    const source = client.query(copyTo(`COPY (${select}) TO STDOUT`));
    for await (const piece of source) encoded.push(piece as Buffer);
    const all = Buffer.concat(encoded);
    // COPY accepts a row split across messages, so fixed-size slices are fine.
    const chunks: Buffer[] = [];
    for (let offset = 0; offset < all.length; offset += CHUNK_BYTES) chunks.push(all.subarray(offset, offset + CHUNK_BYTES));

    const started = performance.now();
    const sink = client.query(copyFrom(`COPY ${target} FROM STDIN`));
    // pg-copy-streams 7 finishes the writable only after the server's CommandComplete.
    await pipeline(Readable.from(chunks), sink);
    await completeTarget?.();
    const seconds = (performance.now() - started) / 1000;
    return { rows: sink.rowCount, seconds };
  } finally {
    await client.end();
  }
}

/**
 * The server alone: the same rows written to a file by the server and loaded
 * back with COPY FROM file, so no client, protocol or network is involved.
 */
export async function copyFromFile(knex: Knex): Promise<CopyFigure> {
  const file = `/tmp/chronicle-bench-copy-${process.pid}.csv`;
  await knex.raw(`DROP TABLE IF EXISTS bench_copy; CREATE TABLE bench_copy (${EVENT_INDEX_COLUMNS})`);
  await knex.raw(`COPY (${READ_MODEL_ROWS}) TO '${file}' WITH (FORMAT csv)`);
  const started = performance.now();
  const result = await knex.raw<{ rowCount: number }>(`COPY bench_copy FROM '${file}' WITH (FORMAT csv)`);
  const seconds = (performance.now() - started) / 1000;
  // Empty the file rather than leave ~100 MB behind; the server owns it, so it cannot be unlinked from here.
  await knex.raw(`COPY (SELECT 1 LIMIT 0) TO '${file}'`);
  return { rows: result.rowCount, seconds };
}
