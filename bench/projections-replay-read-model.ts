/**
 * Replay throughput of a read model written with the evolve helper
 * (projections/read-model.ts): one row per stream, upserted, against the
 * hand-written append-only COPY projection (projections-replay-model.ts) on
 * the same log. Each replay rebuilds from scratch into a new generation
 * while the live one stays parked at the head, as after a deploy.
 *
 * Alone: `npx tsx bench/projections-replay-read-model.ts [events] [eventsPerStream] [replayBatchEvents]`
 * (default 1,000,000, 1 (every event a new row: the helper's worst case) and the
 * engine's default), on its own durable embedded PostgreSQL.
 */
import { pathToFileURL } from 'node:url';
import { z } from 'zod';
import { eventSchema } from '../domain/shared/events.js';
import { PostgresEventStore } from '../infra/event-store/postgres/postgres-event-store.js';
import { createLogger } from '../infra/logging/logger.js';
import { createKnex } from '../infra/postgres/knex.js';
import { migrateToLatest } from '../infra/postgres/migrations.js';
import { allMigrations } from '../app/migrations.js';
import { getReplayProgress, postgresLogCounter, ProjectionEngine, readModel, startReplay, type AnyProjection } from '../projections/index.js';
import { freePort } from '../tests/support/free-port.js';
import { eventIndexProjection } from './projections-replay-model.js';
import type { Knex } from 'knex';
import { BENCH_DEADLINES, startBenchServer } from './support/server.js';

/** The bench log's events (loadLog): PostCreated with a title, a body and tags, ten per stream. */
const benchEvents = eventSchema('PostCreated', z.object({ title: z.string(), body: z.string(), tags: z.array(z.string()) }));

interface StreamRow {
  stream: string;
  title: string;
  body: string;
  tags: string[];
  events: number;
  revision: string;
  updated_at: string;
}

/** One row per stream, changed by every event: the shape of the posts and collections read models. */
export function streamRowsReadModel() {
  return readModel({
    name: 'bench_stream_rows',
    version: 1,
    table: 'bench_stream_rows',
    events: benchEvents,
    columns: {
      stream: 'text primary key',
      title: 'text not null',
      body: 'text not null',
      tags: 'text[] not null',
      events: 'integer not null',
      revision: 'bigint not null',
      updated_at: 'timestamptz not null',
    },
    key: (event) => event.streamId,
    evolve: (row: StreamRow | null, event): StreamRow => ({
      stream: event.streamId,
      title: event.data.title,
      body: event.data.body,
      tags: event.data.tags,
      events: (row?.events ?? 0) + 1,
      revision: String(event.revision),
      updated_at: event.recordedAt.toISOString(),
    }),
  });
}

export interface ReadModelReplayFigure {
  subject: string;
  rows: number;
  eventsPerSecond: number;
}

export async function readModelReplayBenchmark(databaseUrl: string, events: number, eventsPerStream: number, replayBatchEvents?: number): Promise<ReadModelReplayFigure[]> {
  const logger = createLogger('silent');
  const knex = createKnex(databaseUrl, 10, undefined, BENCH_DEADLINES);
  const store = await PostgresEventStore.connect({ connectionString: databaseUrl, logger, poolSize: 10 });
  const subjects: Array<[string, AnyProjection]> = [
    ['evolve helper, one row per stream (upsert)', streamRowsReadModel()],
    ['hand-written COPY, one row per event (append)', eventIndexProjection()],
  ];
  const projections = subjects.map(([, projection]) => projection);
  const engineOptions = {
    knex,
    eventStore: store,
    connectionString: databaseUrl,
    projections,
    counter: postgresLogCounter(knex),
    logger,
    claimIntervalMs: 200,
    settings: { pollMs: 50, ...(replayBatchEvents ? { replayBatchEvents } : {}) },
  };
  try {
    await migrateToLatest(knex, allMigrations);
    // The live generations on an empty log, then parked at the head: only the replays read the events.
    const first = new ProjectionEngine(engineOptions);
    await first.start();
    await waitFor(async () => Number((await knex('projections').where('generation', '>=', 1).count<{ count: string }[]>('* as count'))[0]?.count) === projections.length);
    await first.stop();
    await loadLog(knex, events, eventsPerStream);
    await knex('projections').update({ position: String(await store.headPosition()) });

    const engine = new ProjectionEngine(engineOptions);
    await engine.start();
    const deps = { knex, eventStore: store, projections };
    const figures: ReadModelReplayFigure[] = [];
    // One after the other: each has the machine to itself.
    for (const [subject, projection] of subjects) {
      const started = performance.now();
      const job = await startReplay(deps, projection.name, 'bench');
      await waitFor(async () => (await getReplayProgress(deps, job.jobId)).state === 'completed', 10);
      const seconds = (performance.now() - started) / 1000;
      const [table] = projection.tables;
      const rows = Number((await knex(table!).count<{ count: string }[]>('* as count'))[0]?.count);
      figures.push({ subject, rows, eventsPerSecond: Math.round(events / seconds) });
    }
    await engine.stop();
    return figures;
  } finally {
    await store.close();
    await knex.destroy();
  }
}

/** The replay bench's log (projections-replay-model.ts), with `eventsPerStream` consecutive events per stream. */
async function loadLog(knex: Knex, events: number, eventsPerStream: number): Promise<void> {
  const chunk = 50_000;
  for (let offset = 0; offset < events; offset += chunk) {
    const size = Math.min(chunk, events - offset);
    await knex.raw(
      `INSERT INTO events (stream_id, stream_revision, idx, event_id, event_type, data, metadata)
       SELECT 'post-' || ((? + g) / ?), (? + g) % ?, g, gen_random_uuid(), 'PostCreated',
              jsonb_build_object('title', 'Post number ' || (? + g), 'body', repeat('Lorem ipsum dolor sit amet. ', 4), 'tags', jsonb_build_array('bench', 'events')),
              jsonb_build_object('correlationId', gen_random_uuid(), 'causationId', gen_random_uuid(), 'actor', jsonb_build_object('type', 'user', 'id', gen_random_uuid()),
                                 'tenantId', '00000000-0000-4000-8000-000000000001', 'requestId', gen_random_uuid(), 'occurredAt', now(), 'schemaVersion', 1)
         FROM generate_series(0, ? - 1) AS g`,
      [offset, eventsPerStream, offset, eventsPerStream, offset, size],
    );
  }
  await knex.raw('VACUUM (ANALYZE) events');
}

async function waitFor(check: () => Promise<boolean>, intervalMs = 50): Promise<void> {
  while (!(await check())) await new Promise((resolve) => setTimeout(resolve, intervalMs));
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const events = Number(process.argv[2] ?? 1_000_000);
  const eventsPerStream = Number(process.argv[3] ?? 1);
  const batch = process.argv[4] === undefined ? undefined : Number(process.argv[4]);
  const server = await startBenchServer(await freePort());
  try {
    const figures = await readModelReplayBenchmark(await server.createDatabase('bench_read_model_replay'), events, eventsPerStream, batch);
    console.log(`${events.toLocaleString('en')} events, ${eventsPerStream} per stream`);
    console.table(figures);
    const [helper, copy] = figures;
    if (helper && copy) console.log(`evolve helper / COPY = ${(helper.eventsPerSecond / copy.eventsPerSecond).toFixed(2)}`);
  } finally {
    await server.stop();
  }
}
