import { createHash } from 'node:crypto';
import type { Knex } from 'knex';
import { createKnex } from '../../infra/postgres/knex.js';
import { auditEventsProjection, AUDIT_EVENTS } from '../../projections/audit/audit-events-projection.js';
import { auditReads, correlationEvents, listAuditEvents, type AuditReads } from '../../projections/audit/audit-queries.js';
import type { AuditReader } from '../../projections/audit/audit-visibility-sql.js';
import { collectionsReadModel, COLLECTIONS } from '../../projections/collections/collections-read-model.js';
import { POSTS } from '../../projections/posts/post-row.js';
import { postsReadModel } from '../../projections/posts/posts-read-model.js';
import type { ScenarioResult } from '../report.js';
import { measureLoad } from '../support/load.js';
import { timed } from '../support/measure.js';
import { BENCH_DEADLINES, type BenchServer } from '../support/server.js';

export interface AuditBenchOptions {
  /** Events in the audit trail. */
  events: number;
  /** Seconds each query kind is kept busy. */
  seconds: number;
  concurrency: number;
}

/** The shape of the trail: how many of each the events are spread over. */
const STREAMS_PER_EVENT = 10; // a stream has 10 events
const ACTORS = 5_000; // about 200 events each
const TENANTS = 50;
const EVENTS_PER_CORRELATION = 3; // a request and the two events it caused
const MS_BETWEEN_EVENTS = 10;
const START = Date.parse('2026-01-01T00:00:00Z');
const PAGE = 20;
const TARGET_P99_MS = 50;

/**
 * `npm run bench -- --only=audit`: the audit trail's queries on a trail of
 * `events` rows (1,000,000 by default), through the same query functions
 * the API calls (projections/audit/audit-queries.ts), a first page of 20 at
 * a time: by actor, by actor over one day of seven ("what did X do last Tuesday"),
 * by stream, by correlation, and by actor as a tenant's admin (the
 * authorisation's SQL included). The rows are generated in PostgreSQL in
 * the projection's own table with its own indexes, so the figures are
 * those of the read side, not of building it.
 */
export async function auditResults(server: BenchServer, options: AuditBenchOptions): Promise<ScenarioResult[]> {
  const knex = createKnex(await server.createDatabase('bench_audit'), options.concurrency + 2, undefined, BENCH_DEADLINES);
  try {
    const loadSeconds = await timed(() => loadTrail(knex, options.events));
    console.error(`done: audit trail of ${options.events} events loaded and indexed in ${loadSeconds.toFixed(1)} s`);
    const reads = auditReads(knex);
    const operator: AuditReader = { type: 'operator' };
    const streams = Math.max(1, Math.floor(options.events / STREAMS_PER_EVENT));
    const correlations = Math.max(1, Math.floor(options.events / EVENTS_PER_CORRELATION));
    const pick = (i: number, count: number) => (i * 7_919) % count;
    // The trail's time cut in seven: "last Tuesday" of a week-long log.
    const day = (options.events * MS_BETWEEN_EVENTS) / 7;
    const queries: Array<[name: string, query: (i: number) => Promise<number>]> = [
      ['by actor', async (i) => (await listAuditEvents(reads, operator, { actor: actorId(pick(i, ACTORS)) }, { limit: PAGE }, 'forwards')).items.length],
      [
        'by actor, one day of seven',
        async (i) => {
          const from = START + pick(i, 7) * day;
          return (await listAuditEvents(reads, operator, { actor: actorId(pick(i, ACTORS)), from: new Date(from), to: new Date(from + day) }, { limit: PAGE }, 'forwards')).items.length;
        },
      ],
      ['by stream', async (i) => (await listAuditEvents(reads, operator, { stream: streamName(pick(i, streams)) }, { limit: PAGE }, 'forwards')).items.length],
      ['by stream, newest first', async (i) => (await listAuditEvents(reads, operator, { stream: streamName(pick(i, streams)) }, { limit: PAGE }, 'backwards')).items.length],
      ['by correlation', async (i) => (await correlationEvents(reads, operator, correlationId(pick(i, correlations)), 1_000)).events.length],
      [
        'by actor, as its tenant’s admin',
        async (i) => {
          const actor = pick(i, ACTORS);
          const admin: AuditReader = { type: 'user', userId: actorId(ACTORS + 1), tenantId: tenantId(actor % TENANTS), admin: true };
          return (await listAuditEvents(reads, admin, { actor: actorId(actor) }, { limit: PAGE }, 'forwards')).items.length;
        },
      ],
    ];
    const results: ScenarioResult[] = [];
    for (const [name, query] of queries) {
      let empty = 0;
      const figures = await measureLoad({ seconds: options.seconds, concurrency: options.concurrency }, async (i) => {
        if ((await query(i)) === 0) empty++;
      });
      if (empty > 0) throw new Error(`audit bench: ${empty} "${name}" queries found nothing; the generated trail does not match the queries`);
      results.push({
        scenario: `audit query ${name}, ${options.events.toLocaleString('en-US')} events, p99`,
        unit: 'ms',
        figures: { p99: round(figures.p99Ms), p50: round(figures.p50Ms) },
        ours: 'p99',
        peers: [],
        target: { description: `p99 under ${TARGET_P99_MS} ms`, met: figures.p99Ms < TARGET_P99_MS },
        notes: `${figures.requests} queries in ${figures.seconds.toFixed(1)} s at concurrency ${options.concurrency} (${Math.round(figures.perSecond)}/s); p50 ${round(figures.p50Ms)} ms, p99 ${round(figures.p99Ms)} ms`,
      });
      console.error(`done: audit ${name}`);
    }
    return results;
  } finally {
    await knex.destroy();
  }
}

/** The projection's table (bulk load: indexes after), filled by PostgreSQL itself, then indexed and analysed; content's tables, empty, for the admin's rule. */
async function loadTrail(knex: Knex, events: number): Promise<void> {
  await knex.transaction(async (trx) => {
    await auditEventsProjection().setup(trx, { [AUDIT_EVENTS]: AUDIT_EVENTS }, { bulkLoad: true });
    await postsReadModel().setup(trx, { [POSTS]: POSTS });
    await collectionsReadModel.setup(trx, { [COLLECTIONS]: COLLECTIONS });
  });
  const streams = Math.max(1, Math.floor(events / STREAMS_PER_EVENT));
  await knex.raw(
    `INSERT INTO ${AUDIT_EVENTS}
       (position, event_id, stream, category, stream_id, revision, type, actor_type, actor_id, tenant_id, correlation_id, causation_id, occurred_at, recorded_at, data, metadata)
     SELECT position, event_id, category || '-' || stream_id, category, stream_id, revision, type, 'user', actor_id, tenant_id, correlation_id, causation_id, at, at,
            jsonb_build_object('n', i, 'title', 'Event number ' || i),
            jsonb_build_object('eventId', event_id, 'correlationId', correlation_id, 'causationId', causation_id, 'actor', jsonb_build_object('type', 'user', 'id', actor_id),
                               'tenantId', tenant_id, 'requestId', correlation_id, 'occurredAt', to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), 'schemaVersion', 1)
       FROM (
         SELECT i, (i::numeric + 1) * 4294967296 AS position, md5('e' || i)::uuid::text AS event_id,
                (ARRAY['post', 'collection', 'user', 'tenant'])[1 + (i % ${streams}) % 4] AS category, md5('s' || (i % ${streams}))::uuid::text AS stream_id,
                i / ${streams} AS revision, (ARRAY['PostCreated', 'PostUpdated', 'PostAddedToCollection'])[1 + i % 3] AS type,
                md5('a' || (i % ${ACTORS}))::uuid::text AS actor_id, md5('t' || ((i % ${ACTORS}) % ${TENANTS}))::uuid::text AS tenant_id,
                md5('c' || (i / ${EVENTS_PER_CORRELATION}))::uuid::text AS correlation_id,
                CASE WHEN i % ${EVENTS_PER_CORRELATION} = 0 THEN md5('c' || (i / ${EVENTS_PER_CORRELATION}))::uuid::text ELSE md5('e' || (i - 1))::uuid::text END AS causation_id,
                to_timestamp(${START / 1000} + i * ${MS_BETWEEN_EVENTS / 1000}) AS at
           FROM generate_series(0, ?::int - 1) AS i
       ) AS generated`,
    [events],
  );
  await knex.transaction((trx) => auditEventsProjection().completeSetup!(trx, { [AUDIT_EVENTS]: AUDIT_EVENTS }));
  await knex.raw(`VACUUM (ANALYZE) ${AUDIT_EVENTS}`);
}

/** The ids the generator gave (md5 of a label, as a uuid), computed the same way on this side. */
function actorId(n: number): string {
  return md5Uuid(`a${n}`);
}

function tenantId(n: number): string {
  return md5Uuid(`t${n}`);
}

function correlationId(n: number): string {
  return md5Uuid(`c${n}`);
}

function streamName(n: number): string {
  const categories = ['post', 'collection', 'user', 'tenant'];
  return `${categories[n % 4]}-${md5Uuid(`s${n}`)}`;
}

function md5Uuid(text: string): string {
  const hex = createHash('md5').update(text).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}
