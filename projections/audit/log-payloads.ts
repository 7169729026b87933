import type { Knex } from 'knex';
import type { JsonObject } from '../../infra/event-store/event-store.js';
import { decodePosition, encodePosition } from '../../infra/event-store/postgres/rows.js';

/** An event's payloads as the log holds them. */
export interface LogPayloads {
  data: JsonObject;
  metadata: JsonObject;
}

/**
 * The payloads of the events at `positions`, read from the PostgreSQL log
 * (`events`, in the database the audit trail lives in), keyed by position as
 * text. Only the audit trail's rows that were filed without a copy of their
 * payloads ask (audit-events-projection.ts: an analytics ingest's events,
 * filed only when they came from this log), so a KurrentDB installation,
 * which has no such rows, never reads a table it does not have. A position
 * the log no longer holds (an event deleted behind the application, which the
 * seal reports) is absent from the map.
 */
export async function logPayloadsAt(knex: Knex, positions: readonly string[]): Promise<Map<string, LogPayloads>> {
  const found = new Map<string, LogPayloads>();
  if (positions.length === 0) return found;
  const decoded = positions.map((position) => decodePosition(BigInt(position)));
  const { rows } = await knex.raw<{ rows: { tx_id: string; idx: number; data: JsonObject; metadata: JsonObject }[] }>(
    `SELECT e.tx_id::text AS tx_id, e.idx, e.data, e.metadata
       FROM unnest(?::text[], ?::int[]) AS p(tx_id, idx)
       JOIN events e ON e.tx_id = p.tx_id::xid8 AND e.idx = p.idx`,
    [decoded.map((position) => position.txId), decoded.map((position) => position.idx)],
  );
  for (const row of rows) found.set(String(encodePosition(row.tx_id, row.idx)), { data: row.data, metadata: row.metadata });
  return found;
}
