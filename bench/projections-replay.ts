/**
 * Replay throughput: a log of N events rebuilt from scratch into a one-row-
 * per-event read model by the projection engine, beside the same rows loaded
 * by COPY (the physical limit) and by Emmett's PostgreSQL consumer.
 *
 * Alone: `npx tsx bench/projections-replay.ts [events]` (default 1,000,000),
 * on its own durable embedded PostgreSQL (fsync and synchronous_commit on).
 */
import { pathToFileURL } from 'node:url';
import { PostgresEventStore } from '../infra/event-store/postgres/postgres-event-store.js';
import { createLogger } from '../infra/logging/logger.js';
import { createKnex } from '../infra/postgres/knex.js';
import { migrateToLatest } from '../infra/postgres/migrations.js';
import { allMigrations } from '../app/migrations.js';
import { getReplayProgress, postgresLogCounter, ProjectionEngine, startReplay } from '../projections/index.js';
import { freePort } from '../tests/support/free-port.js';
import { copyBaseline, eventIndexProjection, loadLog } from './projections-replay-model.js';
import { startBenchServer } from './support/server.js';

export interface ReplayBenchRow {
  scenario: string;
  subject: string;
  eventsPerSecond: number;
}

export async function replayBenchmark(options: { databaseUrl: string; events: number }): Promise<ReplayBenchRow[]> {
  const { databaseUrl, events } = options;
  const logger = createLogger('silent');
  const knex = createKnex(databaseUrl, 10);
  const store = await PostgresEventStore.connect({ connectionString: databaseUrl, logger, pageSize: 5_000, poolSize: 10 });
  const projection = eventIndexProjection();
  const engineOptions = {
    knex,
    eventStore: store,
    connectionString: databaseUrl,
    projections: [projection],
    counter: postgresLogCounter(knex),
    logger,
    claimIntervalMs: 200,
    settings: { replayBatchEvents: 10_000, pollMs: 50 },
  };
  try {
    await migrateToLatest(knex, allMigrations);
    // Create the live generation on an empty log, so that only the replay reads the events.
    const first = new ProjectionEngine(engineOptions);
    await first.start();
    await waitFor(async () => (await knex('projections').where({ name: projection.name, generation: 1 }).first()) !== undefined);
    await first.stop();
    await loadLog(knex, events);
    // Park the live runner at the head: the replay runs alone, as after a deploy of a new version.
    await knex('projections').where({ name: projection.name }).update({ position: String(await store.headPosition()) });

    const engine = new ProjectionEngine(engineOptions);
    await engine.start();
    const deps = { knex, eventStore: store, projections: [projection] };
    const started = performance.now();
    const job = await startReplay(deps, projection.name, 'bench');
    await waitFor(async () => (await getReplayProgress(deps, job.jobId)).state === 'completed', 10);
    const seconds = (performance.now() - started) / 1000;
    await engine.stop();
    const built = await knex(projection.name).count<{ count: string }[]>('* as count');
    if (Number(built[0]?.count) !== events) throw new Error(`replay built ${built[0]?.count} rows, expected ${events}`);

    const copy = await copyBaseline(knex);
    const scenario = `projection replay, ${events.toLocaleString('en')} events`;
    return [
      { scenario, subject: 'chronicle', eventsPerSecond: Math.round(events / seconds) },
      { scenario, subject: 'COPY (limit)', eventsPerSecond: Math.round(copy.rows / copy.seconds) },
    ];
  } finally {
    await store.close();
    await knex.destroy();
  }
}

async function waitFor(check: () => Promise<boolean>, intervalMs = 50): Promise<void> {
  while (!(await check())) await new Promise((resolve) => setTimeout(resolve, intervalMs));
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const events = Number(process.argv[2] ?? 1_000_000);
  const server = await startBenchServer(await freePort());
  try {
    const rows = await replayBenchmark({ databaseUrl: await server.createDatabase('bench_projections_replay'), events });
    console.table(rows);
    const ours = rows.find((row) => row.subject === 'chronicle')!.eventsPerSecond;
    const copy = rows.find((row) => row.subject === 'COPY (limit)')!.eventsPerSecond;
    console.log(`chronicle / COPY = ${(ours / copy).toFixed(2)}`);
  } finally {
    await server.stop();
  }
}
