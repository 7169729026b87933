/**
 * The limit the design itself sets on ingest: each analytics event is one
 * event of the log by contract, so no ingest can acknowledge more events a
 * second than the log takes in appends of the same events. Measured through
 * the real PostgresEventStore with the AnalyticsEventReceived events the
 * ingest builds for the bench's requests (same data and metadata, built by
 * ingestEvents itself once up front), 100 an append to new `ingest-` streams,
 * at the HTTP load's concurrency and for its duration.
 */
import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { allMigrations } from '../../app/migrations.js';
import { enricherOf } from '../../commands/analytics/enricher.js';
import { ingestEvents } from '../../commands/analytics/ingest-events.js';
import { seenInLog } from '../../commands/analytics/message-ids.js';
import { systemRuntime } from '../../commands/runtime.js';
import { parseUserAgent, truncateIp } from '../../domain/analytics/enrichment.js';
import type { AppendResult, EventStore, JsonObject, NewEvent } from '../../infra/event-store/event-store.js';
import { PostgresEventStore } from '../../infra/event-store/postgres/postgres-event-store.js';
import { createLogger } from '../../infra/logging/logger.js';
import { createKnex } from '../../infra/postgres/knex.js';
import { migrateToLatest } from '../../infra/postgres/migrations.js';
import { measureLoad } from '../support/load.js';
import { ANALYTICS_LOAD, batch, USER_AGENT } from './analytics-events.js';

export interface RawAppendFigure {
  /** Events appended a second in the timed phase. */
  perSecond: number;
  appends: number;
  seconds: number;
}

/** A request's AnalyticsEventReceived events exactly as ingestEvents appends them, taken from it instead of the log. */
export async function ingestShapedEvents(tenantId: string, knex: Knex): Promise<NewEvent[]> {
  let captured: readonly NewEvent[] = [];
  const capturing: EventStore = {
    kind: 'postgres',
    async appendToStream(_stream, events): Promise<AppendResult> {
      captured = events;
      return { nextRevision: BigInt(events.length - 1), position: 1n };
    },
    readStream: unsupported,
    readAll: unsupported,
    subscribeToAll: unsupported,
    headPosition: unsupported,
    health: unsupported,
    close: async () => {},
  };
  const runtime = systemRuntime();
  await ingestEvents(
    {
      eventStore: capturing,
      knex,
      runtime,
      limits: { maxEventBytes: 32_768, maxEventsPerRequest: 500, quarantineRawBytes: 8_192 },
      enricher: enricherOf({ parseUserAgent, truncateIp, country: () => null, keepFullIp: false }),
      seenMessages: seenInLog,
    },
    {
      tenantId,
      keyId: randomUUID(),
      actor: { type: 'apiKey', id: randomUUID() },
      source: 'segment',
      receivedAt: runtime.now(),
      sentAt: new Date().toISOString(),
      ip: '127.0.0.1',
      userAgent: USER_AGENT,
      events: batch(0),
      origin: { requestId: randomUUID() },
    },
  );
  if (captured.length !== ANALYTICS_LOAD.eventsPerRequest) throw new Error(`ingestEvents appended ${captured.length} events of ${ANALYTICS_LOAD.eventsPerRequest}`);
  return [...captured];
}

/**
 * Appends the template's events again and again (each with a fresh id and
 * messageId, so neither the log's unique id nor the warehouse's dedup
 * refuses them), 100 an append to a new `ingest-` stream, concurrency 8.
 */
export async function measureRawAppends(store: EventStore, template: readonly NewEvent[], seconds: number): Promise<RawAppendFigure> {
  const load = await measureLoad({ seconds, concurrency: ANALYTICS_LOAD.concurrency }, (i) => appendIngestShaped(store, template, i));
  return { perSecond: load.perSecond * template.length, appends: load.requests, seconds: load.seconds };
}

/** Append `i`: the template's events, each with a fresh id and messageId, to a new `ingest-` stream. */
export async function appendIngestShaped(store: EventStore, template: readonly NewEvent[], i: number): Promise<void> {
  const events = template.map((event, k): NewEvent => {
    const id = randomUUID();
    return {
      id,
      type: event.type,
      data: { ...event.data, messageId: `raw-${i}-${k}` } as JsonObject,
      metadata: { ...event.metadata, eventId: id } as JsonObject,
    };
  });
  await store.appendToStream(`ingest-${randomUUID()}`, events, { expectedRevision: 'no_stream' });
}

/** The raw append in a database of its own with the installation's schema and nothing reading the log: no projection, no API. */
export async function rawAppendWithoutProjections(databaseUrl: string, options: { seconds: number; poolSize: number }): Promise<RawAppendFigure> {
  const knex = createKnex(databaseUrl, 2);
  try {
    await migrateToLatest(knex, allMigrations);
    const template = await ingestShapedEvents(randomUUID(), knex);
    const store = await PostgresEventStore.connect({ connectionString: databaseUrl, logger: createLogger('silent'), poolSize: options.poolSize });
    try {
      return await measureRawAppends(store, template, options.seconds);
    } finally {
      await store.close();
    }
  } finally {
    await knex.destroy();
  }
}

function unsupported(): never {
  throw new Error('the capturing store only appends');
}
