import type { Knex } from 'knex';
import type { RecordedEvent } from '../infra/event-store/event-store.js';
import type { Projection } from '../projections/projection.js';
import { copyRows } from '../projections/copy-rows.js';

/** The bench's read model: one row per event, the same rows the COPY baselines load (projections-replay-copy.ts). */
export const EVENT_INDEX_COLUMNS = 'position numeric(40,0) PRIMARY KEY, stream text NOT NULL, event_type text NOT NULL, title text, recorded_at timestamptz NOT NULL';

export function eventIndexProjection(): Projection<'bench_event_index'> {
  return {
    name: 'bench_event_index',
    version: 1,
    filter: { eventTypes: ['PostCreated'] },
    tables: ['bench_event_index'],
    async setup(trx: Knex.Transaction, tables) {
      await trx.raw(`CREATE TABLE "${tables.bench_event_index}" (${EVENT_INDEX_COLUMNS})`);
    },
    async apply(events: readonly RecordedEvent[], trx: Knex.Transaction, tables) {
      // Append-only rows: COPY them in, inside the batch's transaction.
      await copyRows(
        trx,
        tables.bench_event_index,
        ['position', 'stream', 'event_type', 'title', 'recorded_at'],
        events.map((e) => [e.position, e.stream, e.type, typeof e.data['title'] === 'string' ? e.data['title'] : null, e.recordedAt]),
      );
    },
  };
}

/**
 * Fills the PostgreSQL event store's table server-side, in 50,000-event
 * transactions of ~400-byte events: the append path is benchmarked elsewhere,
 * here only the log's contents matter.
 */
export async function loadLog(knex: Knex, events: number): Promise<void> {
  const chunk = 50_000;
  for (let offset = 0; offset < events; offset += chunk) {
    const size = Math.min(chunk, events - offset);
    await knex.raw(
      `INSERT INTO events (stream_id, stream_revision, idx, event_id, event_type, data, metadata)
       SELECT 'post-' || ((? + g) / 10), (? + g) % 10, g, gen_random_uuid(), 'PostCreated',
              -- Compact, as JSON.stringify writes every appended payload (jsonb's text has spaces and sorted keys).
              format('{"title":"Post number %s","body":"%s","tags":["bench","events"]}', ? + g, repeat('Lorem ipsum dolor sit amet. ', 4))::json,
              format('{"correlationId":"%s","causationId":"%s","actor":{"type":"user","id":"%s"},"tenantId":"00000000-0000-4000-8000-000000000001","requestId":"%s","occurredAt":"%s","schemaVersion":1}',
                     gen_random_uuid(), gen_random_uuid(), gen_random_uuid(), gen_random_uuid(), to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))::json
         FROM generate_series(0, ? - 1) AS g`,
      [offset, offset, offset, size],
    );
  }
  // Settled before any subject reads it: hint bits set and statistics fresh, for all alike.
  await knex.raw('VACUUM (ANALYZE) events');
}
