import pg from 'pg';
import type { Subject } from './subject.js';

/**
 * The physical limit: the same rows INSERTed into a bare table with a
 * bigserial key, one statement per append, no concurrency control, no
 * ordering guarantee. Its reader follows `id > last id`, the naive design.
 */
export async function plainSubject(url: string, poolSize: number): Promise<Subject> {
  const pool = new pg.Pool({ connectionString: url, max: poolSize });
  pool.on('error', () => undefined);
  await pool.query(`
    CREATE TABLE plain_events (
      id bigserial PRIMARY KEY, stream_id text NOT NULL, event_id uuid NOT NULL, event_type text NOT NULL,
      data jsonb NOT NULL, metadata jsonb NOT NULL, recorded_at timestamptz NOT NULL DEFAULT now())`);
  return {
    name: 'plain-pg',
    role: 'limit',
    async append(stream, events) {
      if (events.length === 1) {
        const [event] = events;
        await pool.query({
          name: 'plain_insert_one',
          text: 'INSERT INTO plain_events (stream_id, event_id, event_type, data, metadata) VALUES ($1, $2, $3, $4, $5)',
          values: [stream, event!.id, event!.type, JSON.stringify(event!.data), JSON.stringify(event!.metadata)],
        });
        return;
      }
      await pool.query({
        name: 'plain_insert_many',
        text: `INSERT INTO plain_events (stream_id, event_id, event_type, data, metadata)
               SELECT $1, * FROM unnest($2::uuid[], $3::text[], $4::jsonb[], $5::jsonb[])`,
        values: [
          stream,
          events.map((event) => event.id),
          events.map((event) => event.type),
          events.map((event) => JSON.stringify(event.data)),
          events.map((event) => JSON.stringify(event.metadata)),
        ],
      });
    },
    async readAll() {
      const { rows } = await pool.query<{ event_id: string }>(
        'SELECT id, event_id, event_type, data, metadata, recorded_at FROM plain_events ORDER BY id',
      );
      return rows.map((row) => row.event_id);
    },
    async readPage(after, pageSize) {
      const { rows } = await pool.query<{ id: string; event_id: string; data: unknown; metadata: unknown; recorded_at: Date }>({
        name: 'plain_read',
        text: 'SELECT id, event_id, event_type, data, metadata, recorded_at FROM plain_events WHERE id > $1 ORDER BY id LIMIT $2',
        values: [String(after ?? 0n), pageSize],
      });
      return { ids: rows.map((row) => row.event_id), next: rows.length > 0 ? BigInt(rows.at(-1)!.id) : undefined };
    },
    close: () => pool.end(),
  };
}
