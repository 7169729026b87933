import type { Knex } from 'knex';
import type { RecordedEvent } from '../../infra/event-store/event-store.js';
import type { Projection, ProjectionTables } from '../projection.js';

/** One row per stream: how many events, the first and last positions, the last type. */
export interface StreamSummaryRow {
  stream: string;
  category: string;
  event_count: string;
  first_position: string;
  last_position: string;
  last_revision: string;
  last_event_type: string;
  last_recorded_at: Date;
}

export interface StreamSummaryOptions {
  /** Stream prefixes to follow; all streams when omitted. */
  streamPrefixes?: readonly string[];
  /** Called for each event before it is applied: lets tests plant a poison event. */
  check?: (event: RecordedEvent) => void;
  name?: string;
  /** Base table name; defaults to the projection's name. */
  table?: string;
  version?: number;
}

/**
 * A generic read model, the engine's example and test subject: it follows
 * every stream (or some categories) and upserts one summary row per stream
 * per batch, so a doubled or lost event shows as a wrong count.
 */
export function streamSummaryProjection(options: StreamSummaryOptions = {}): Projection {
  const name = options.name ?? 'stream_summary';
  const base = options.table ?? name;
  return {
    name,
    version: options.version ?? 1,
    filter: options.streamPrefixes ? { streamPrefixes: options.streamPrefixes } : {},
    tables: [base],
    async setup(trx: Knex.Transaction, tables: ProjectionTables) {
      const table = tables[base]!;
      await trx.raw(`
        CREATE TABLE "${table}" (
          stream text PRIMARY KEY,
          category text NOT NULL,
          event_count bigint NOT NULL,
          first_position numeric(40,0) NOT NULL,
          last_position numeric(40,0) NOT NULL,
          last_revision bigint NOT NULL,
          last_event_type text NOT NULL,
          last_recorded_at timestamptz NOT NULL
        );
        CREATE INDEX "${table}_category_idx" ON "${table}" (category, last_position DESC);`);
    },
    async apply(events, trx, tables) {
      if (options.check) for (const event of events) options.check(event);
      const rows = summarise(events);
      // One statement per batch; the JSON travels as one parameter.
      await trx.raw(
        `INSERT INTO "${tables[base]!}" AS s
           (stream, category, event_count, first_position, last_position, last_revision, last_event_type, last_recorded_at)
         SELECT r.stream, r.category, r.event_count, r.first_position, r.last_position, r.last_revision, r.last_event_type, r.last_recorded_at
           FROM jsonb_to_recordset(?::jsonb) AS r(stream text, category text, event_count bigint, first_position numeric,
                last_position numeric, last_revision bigint, last_event_type text, last_recorded_at timestamptz)
         ON CONFLICT (stream) DO UPDATE SET
           event_count = s.event_count + EXCLUDED.event_count,
           last_position = EXCLUDED.last_position,
           last_revision = EXCLUDED.last_revision,
           last_event_type = EXCLUDED.last_event_type,
           last_recorded_at = EXCLUDED.last_recorded_at`,
        [JSON.stringify(rows)],
      );
    },
  };
}

function summarise(events: readonly RecordedEvent[]) {
  const byStream = new Map<string, { stream: string; category: string; event_count: number; first_position: string; last_position: string; last_revision: string; last_event_type: string; last_recorded_at: string }>();
  for (const event of events) {
    const existing = byStream.get(event.stream);
    const last = { last_position: String(event.position), last_revision: String(event.revision), last_event_type: event.type, last_recorded_at: event.recordedAt.toISOString() };
    if (existing) Object.assign(existing, last, { event_count: existing.event_count + 1 });
    else byStream.set(event.stream, { stream: event.stream, category: categoryOf(event.stream), event_count: 1, first_position: String(event.position), ...last });
  }
  return [...byStream.values()];
}

function categoryOf(stream: string): string {
  const dash = stream.indexOf('-');
  return dash === -1 ? stream : stream.slice(0, dash);
}
