/**
 * The replay bench's Emmett peer: Emmett 0.42's PostgreSQL consumer rebuilding
 * the same one-row-per-event read model from the beginning of a log of the
 * same events, in a database of its own on the same server.
 */
import { rawSql, sql } from '@event-driven-io/dumbo';
import type { Event, ReadEvent } from '@event-driven-io/emmett';
import {
  getPostgreSQLEventStore,
  postgreSQLEventStoreConsumer,
  postgreSQLProjection,
  type PostgreSQLEventStoreConsumerConfig,
  type PostgreSQLProjectionDefinition,
  type PostgresReadEventMetadata,
} from '@event-driven-io/emmett-postgresql';
import pg from 'pg';
import { benchEvent, runConcurrently } from './support/measure.js';
import { EVENT_INDEX_COLUMNS } from './projections-replay-model.js';

type PostCreated = Event<'PostCreated', { title: string; body: string; tags: string[] }, { occurredAt: string; [key: string]: unknown }>;

/** Emmett's consumer settings: `pulling` undefined means its defaults (batch 100, 50 ms between full batches). */
export interface EmmettReplaySettings {
  label: string;
  pulling?: PostgreSQLEventStoreConsumerConfig['pulling'];
}

export const EMMETT_DEFAULTS: EmmettReplaySettings = { label: 'emmett (defaults)' };
/**
 * The shortest wait its puller accepts between full batches, and the best
 * batch we measured on a 20,000-event log (events/s: 500 → 1,908,
 * 1,000 → 2,006, 10,000 → 1,371): it handles each event on its own anyway,
 * and one huge transaction gains nothing.
 */
export const EMMETT_TUNED: EmmettReplaySettings = { label: 'emmett (tuned)', pulling: { batchSize: 1_000, pullingFrequencyInMs: 1 } };

const EVENTS_PER_STREAM = 10;

/**
 * Appends `events` PostCreated events (benchEvent: ~400 bytes, data
 * {title, body, tags}, the metadata envelope) through Emmett's own
 * appendToStream, one append of 10 events per stream as in our log. Its
 * schema keeps stream versions and positions in plpgsql, so its API is the
 * clean way in. One append at a time: with concurrent appends, global
 * positions are not in commit order, and its consumer (ordering by
 * transaction, skipping any position at or below its checkpoint) silently
 * drops events: 16 concurrent appenders lost ~14% of a 5,000-event log.
 */
export async function loadEmmettLog(databaseUrl: string, events: number): Promise<void> {
  const store = getPostgreSQLEventStore(databaseUrl);
  try {
    await store.schema.migrate();
    const streams = Math.ceil(events / EVENTS_PER_STREAM);
    await runConcurrently(streams, 1, async (s) => {
      const first = s * EVENTS_PER_STREAM;
      const batch = Array.from({ length: Math.min(EVENTS_PER_STREAM, events - first) }, (_, j) => {
        const { type, data, metadata } = benchEvent(first + j);
        return { type, data, metadata } as PostCreated;
      });
      await store.appendToStream<PostCreated>(`post-${s}`, batch);
    });
  } finally {
    await store.close();
  }
}

/**
 * Emmett's base PostgreSQL projection (postgreSQLRawBatchSQLProjection is this
 * plus SQL building; its evolve is typed without the read metadata we need).
 * Emmett's projector hands it one event at a time and stores its checkpoint
 * after each, in one transaction per pulled batch. recorded_at is the
 * envelope's occurredAt: Emmett's read events carry no append time.
 */
function eventIndex(table: string): PostgreSQLProjectionDefinition<PostCreated> {
  return postgreSQLProjection<PostCreated>({
    name: table,
    canHandle: ['PostCreated'],
    init: async ({ context }) => {
      await context.execute.command(rawSql(`CREATE TABLE IF NOT EXISTS ${table} (${EVENT_INDEX_COLUMNS})`));
    },
    handle: async (events: ReadEvent<PostCreated, PostgresReadEventMetadata>[], context) => {
      for (const event of events) {
        await context.execute.command(
          sql(
            `INSERT INTO ${table} (position, stream, event_type, title, recorded_at) VALUES (%L, %L, %L, %L, %L)`,
            String(event.metadata.globalPosition),
            event.metadata.streamName,
            event.type,
            event.data.title,
            event.metadata.occurredAt,
          ),
        );
      }
    },
  });
}

/**
 * Runs Emmett's consumer from the beginning until no events are left and
 * answers events/s. The table is created before the timer; the projector's
 * own setup (registration, lock: a few statements) is inside it, as its
 * consumer exposes no init in its types. Fails after `timeoutMs` rather than hang, and when the
 * table does not hold one row per event (Emmett's consumer turns a failing
 * projection into a quiet stop).
 */
export async function emmettReplay(databaseUrl: string, events: number, settings: EmmettReplaySettings, timeoutMs: number): Promise<number> {
  const table = `emmett_event_index_${settings.pulling ? 'tuned' : 'defaults'}`;
  const consumer = postgreSQLEventStoreConsumer({ connectionString: databaseUrl, stopWhen: { noMessagesLeft: true }, pulling: settings.pulling });
  consumer.projector<PostCreated>({ projection: eventIndex(table) });
  let timer: NodeJS.Timeout | undefined;
  try {
    await query(databaseUrl, `CREATE TABLE ${table} (${EVENT_INDEX_COLUMNS})`);
    const started = performance.now();
    const deadline = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs)));
    if ((await Promise.race([consumer.start().then(() => 'done' as const), deadline])) === 'timeout') {
      await consumer.stop();
      throw new Error(`${settings.label} did not finish ${events} events within ${timeoutMs / 1000} s`);
    }
    const seconds = (performance.now() - started) / 1000;
    const built = Number((await query<{ count: string }>(databaseUrl, `SELECT count(*) AS count FROM ${table}`))[0]?.count);
    if (built !== events) throw new Error(`${settings.label} built ${built} rows, expected ${events}`);
    return Math.round(events / seconds);
  } finally {
    clearTimeout(timer);
    await consumer.close();
  }
}

async function query<Row extends pg.QueryResultRow>(databaseUrl: string, text: string): Promise<Row[]> {
  const client = new pg.Client(databaseUrl);
  await client.connect();
  try {
    return (await client.query<Row>(text)).rows;
  } finally {
    await client.end();
  }
}
