import type { Knex } from 'knex';
import type { EventFilter, EventStore, Position } from '../../infra/event-store/event-store.js';
import { decodePosition } from '../../infra/event-store/postgres/rows.js';

/** Counts the events a projection still has to read; `cap` bounds the cost (the answer is then `cap`). */
export interface LogCounter {
  countAfter(position: Position | undefined, filter: EventFilter | undefined, cap: number): Promise<number>;
}

/**
 * Counts in the PostgreSQL event store's table with an index range scan that
 * stops after `cap` matches. It knows that adapter's position encoding; the
 * port has no count (see the report: `countAfter` belongs in the port).
 */
export function postgresLogCounter(knex: Knex): LogCounter {
  return {
    async countAfter(position, filter, cap) {
      const from = position === undefined ? { txId: '0', idx: -1 } : decodePosition(position);
      // Lists travel as JSON: knex would expand an array binding into a list of parameters.
      const prefixes = filter?.streamPrefixes ? JSON.stringify(filter.streamPrefixes.map((prefix) => `${prefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`)) : null;
      const types = filter?.eventTypes ? JSON.stringify(filter.eventTypes) : null;
      const { rows } = await knex.raw<{ rows: { count: string }[] }>(
        `SELECT count(*)::text AS count FROM (
           SELECT 1 FROM events
            WHERE (tx_id, idx) > (?::xid8, ?::bigint)
              AND (?::jsonb IS NULL OR stream_id LIKE ANY(ARRAY(SELECT jsonb_array_elements_text(?::jsonb))))
              AND (?::jsonb IS NULL OR event_type = ANY(ARRAY(SELECT jsonb_array_elements_text(?::jsonb))))
            LIMIT ?) AS tail`,
        [from.txId, from.idx, prefixes, prefixes, types, types, cap],
      );
      return Number(rows[0]?.count ?? 0);
    },
  };
}

/** Any adapter: reads the events to count them, so keep `cap` small. */
export function storeLogCounter(store: EventStore): LogCounter {
  return {
    async countAfter(position, filter, cap) {
      const events = await store.readAll({ ...(position === undefined ? {} : { fromPosition: position }), ...(filter ? { filter } : {}), maxCount: cap });
      return events.length;
    },
  };
}

/** Lag is counted exactly up to here; beyond it the status says "at least". */
export const LAG_CAP = 100_000;
