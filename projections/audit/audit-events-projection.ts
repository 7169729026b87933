import type { Knex } from 'knex';
import { INGEST_STREAM_PREFIX } from '../../domain/analytics/streams.js';
import type { RecordedEvent } from '../../infra/event-store/event-store.js';
import { copyRows, type CopyValue } from '../copy-rows.js';
import type { Projection, ProjectionTables } from '../projection.js';
import { auditFactsOf } from './audit-facts.js';

export const AUDIT_EVENTS_PROJECTION = 'audit_events';
export const AUDIT_EVENTS = 'audit_events';

/**
 * One row per event of the log, every stream and type, with the metadata
 * the audit filters on pulled out into columns and the data and metadata
 * kept as stored, so an audit query never goes back to the store.
 *
 * Except an analytics ingest's events, read from the PostgreSQL log as
 * stored: those are filed without their payloads (data and metadata NULL),
 * which the queries read from the log by position (log-payloads.ts). They
 * are most of the log under analytics traffic, and their copy was most of
 * the trail's cost: about half its WAL and two thirds of PostgreSQL's time
 * on each row (jsonb parsing), besides Node's serialising it again.
 * Every event keeps its row and its place in every index.
 *
 * Every index ends in `position`: each filter (actor, tenant, stream,
 * correlation, type, category) is one index range walked in log order,
 * which is also the cursor's order; an actor over a time range is one range
 * of its own, sorted. Append-only: rows are COPied in.
 */
export function auditEventsProjection(): Projection<typeof AUDIT_EVENTS> {
  return {
    name: AUDIT_EVENTS_PROJECTION,
    // 2: an index by actor and time. 3: an analytics ingest's payloads stay in the log.
    version: 3,
    filter: {},
    tables: [AUDIT_EVENTS],
    async setup(trx, tables, options) {
      const table = tables[AUDIT_EVENTS];
      // Positions are numeric(40,0), as everywhere: bigints of either adapter, never narrowed.
      await trx.raw(`
        CREATE TABLE "${table}" (
          position numeric(40,0) PRIMARY KEY,
          event_id text NOT NULL,
          stream text NOT NULL,
          category text NOT NULL,
          stream_id text NOT NULL,
          revision numeric(20,0) NOT NULL,
          type text NOT NULL,
          actor_type text,
          actor_id text,
          tenant_id text,
          correlation_id text,
          causation_id text,
          occurred_at timestamptz NOT NULL,
          recorded_at timestamptz NOT NULL,
          -- NULL, both: read from the log (an analytics ingest's events).
          data jsonb,
          metadata jsonb
        )`);
      if (!options?.bulkLoad) await createIndexes(trx, tables);
    },
    completeSetup: createIndexes,
    async apply(events, trx, tables) {
      await copyRows(trx, tables[AUDIT_EVENTS], COLUMNS, events.map(rowOf));
    },
  };
}

const COLUMNS = [
  'position', 'event_id', 'stream', 'category', 'stream_id', 'revision', 'type', 'actor_type', 'actor_id',
  'tenant_id', 'correlation_id', 'causation_id', 'occurred_at', 'recorded_at', 'data', 'metadata',
] as const;

/** `name` and its columns; each index's name is derived from the physical table, so a replay's generation has its own. */
const INDEXES: ReadonlyArray<readonly [name: string, columns: string]> = [
  ['actor', '(actor_id, position)'],
  // "What did X do last Tuesday": the actor's rows of that time, then sorted by position, instead of
  // walking all of the actor's history in log order until the day comes.
  ['actor_time', '(actor_id, occurred_at, position)'],
  ['tenant', '(tenant_id, position)'],
  ['stream', '(stream, position)'],
  ['correlation', '(correlation_id, position)'],
  ['type', '(type, position)'],
  ['category', '(category, position)'],
  ['occurred', '(occurred_at, position)'],
];

async function createIndexes(trx: Knex.Transaction, tables: ProjectionTables<typeof AUDIT_EVENTS>): Promise<void> {
  const table = tables[AUDIT_EVENTS];
  for (const [name, columns] of INDEXES) await trx.raw(`CREATE INDEX IF NOT EXISTS "${table}_${name}" ON "${table}" ${columns}`);
}

/**
 * Filed without payloads: an ingest's events as the PostgreSQL log stores
 * them (they carry `storedText`; an upcast event does not, and keeps the
 * shape it was read in). Asked with `in`: reading the getter would decode
 * both texts for nothing.
 */
function payloadInLog(event: RecordedEvent): boolean {
  return event.stream.startsWith(INGEST_STREAM_PREFIX) && 'storedText' in event;
}

function rowOf(event: RecordedEvent): CopyValue[] {
  const facts = auditFactsOf(event);
  const inLog = payloadInLog(event);
  return [
    event.position,
    event.id,
    event.stream,
    facts.category,
    facts.streamId,
    event.revision,
    event.type,
    facts.actorType,
    facts.actorId,
    facts.tenantId,
    facts.correlationId,
    facts.causationId,
    facts.occurredAt,
    event.recordedAt,
    inLog ? null : JSON.stringify(event.data),
    inLog ? null : JSON.stringify(event.metadata),
  ];
}
