/**
 * Replay throughput: a log of N events rebuilt from scratch into a one-row-
 * per-event read model by the projection engine, beside the same rows loaded
 * by COPY (the physical limit) and the same read model rebuilt by Emmett's
 * PostgreSQL consumer from a smaller log of the same events.
 *
 * Alone: `npx tsx bench/projections-replay.ts [events] [emmettEvents]`
 * (default 1,000,000 and 50,000), on its own durable embedded PostgreSQL
 * (fsync and synchronous_commit on).
 */
import { pathToFileURL } from 'node:url';
import { PostgresEventStore } from '../infra/event-store/postgres/postgres-event-store.js';
import { createLogger } from '../infra/logging/logger.js';
import { createKnex } from '../infra/postgres/knex.js';
import { migrateToLatest } from '../infra/postgres/migrations.js';
import { allMigrations } from '../app/migrations.js';
import { postgresLogCounter } from '../projections/index.js';
import { timeReplayFromScratch } from './support/timed-replay.js';
import { freePort } from '../tests/support/free-port.js';
import { copyFromFile, copyFromStdin } from './projections-replay-copy.js';
import { EMMETT_DEFAULTS, EMMETT_TUNED, emmettReplay, loadEmmettLog } from './projections-replay-emmett.js';
import { eventIndexProjection, loadLog } from './projections-replay-model.js';
import { BENCH_DEADLINES, startBenchServer } from './support/server.js';

export interface ReplayBenchRow {
  scenario: string;
  subject: string;
  eventsPerSecond: number;
}

export const REPLAY_SUBJECTS = {
  ours: 'chronicle',
  copyStdin: 'COPY FROM STDIN (limit)',
  copyFile: 'COPY FROM file, server only',
  emmettDefaults: EMMETT_DEFAULTS.label,
  emmettTuned: EMMETT_TUNED.label,
} as const;

export interface ReplayBenchOptions {
  databaseUrl: string;
  events: number;
  /** Emmett's log is smaller (default 50,000): it runs at a few thousand events/s. 0 skips it. */
  emmettEvents?: number;
  /** Makes Emmett's own database on the same server (BenchServer.createDatabase); without it Emmett is skipped. */
  createDatabase?: (name: string) => Promise<string>;
  /** Per Emmett run; default 5 minutes. */
  emmettTimeoutMs?: number;
}

export async function replayBenchmark(options: ReplayBenchOptions): Promise<ReplayBenchRow[]> {
  const { databaseUrl, events, emmettEvents = 50_000, createDatabase, emmettTimeoutMs = 300_000 } = options;
  const logger = createLogger('silent');
  const knex = createKnex(databaseUrl, 10, undefined, BENCH_DEADLINES);
  const connectStore = () => PostgresEventStore.connect({ connectionString: databaseUrl, logger, poolSize: 10 });
  const projection = eventIndexProjection();
  const engineOptions = {
    knex,
    connectionString: databaseUrl,
    projections: [projection],
    counter: postgresLogCounter(knex),
    logger,
    claimIntervalMs: 200,
    settings: { pollMs: 50 },
  };
  try {
    await migrateToLatest(knex, allMigrations);
    const seconds = await timeReplayFromScratch(engineOptions, connectStore, () => loadLog(knex, events));
    const built = await knex(projection.name).count<{ count: string }[]>('* as count');
    if (Number(built[0]?.count) !== events) throw new Error(`replay built ${built[0]?.count} rows, expected ${events}`);

    const scenario = `projection replay, ${events.toLocaleString('en')} events`;
    const rows: ReplayBenchRow[] = [{ scenario, subject: REPLAY_SUBJECTS.ours, eventsPerSecond: Math.round(events / seconds) }];
    for (const [subject, copy] of [
      [REPLAY_SUBJECTS.copyStdin, await copyFromStdin(databaseUrl)],
      [REPLAY_SUBJECTS.copyFile, await copyFromFile(knex)],
    ] as const) {
      if (copy.rows !== events) throw new Error(`${subject} loaded ${copy.rows} rows, expected ${events}`);
      rows.push({ scenario, subject, eventsPerSecond: Math.round(copy.rows / copy.seconds) });
    }
    if (createDatabase && emmettEvents > 0) rows.push(...(await emmettRows(createDatabase, emmettEvents, emmettTimeoutMs)));
    return rows;
  } finally {
    await knex.destroy();
  }
}

/** Defaults first, then tuned, on one log: each run is its own projector, from the beginning. */
async function emmettRows(createDatabase: (name: string) => Promise<string>, events: number, timeoutMs: number): Promise<ReplayBenchRow[]> {
  const url = await createDatabase('bench_projections_replay_emmett');
  await loadEmmettLog(url, events);
  const scenario = `projection replay, ${events.toLocaleString('en')} events (emmett's smaller log)`;
  const rows: ReplayBenchRow[] = [];
  for (const settings of [EMMETT_DEFAULTS, EMMETT_TUNED]) {
    rows.push({ scenario, subject: settings.label, eventsPerSecond: await emmettReplay(url, events, settings, timeoutMs) });
  }
  return rows;
}


if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const events = Number(process.argv[2] ?? 1_000_000);
  const emmettEvents = Number(process.argv[3] ?? 50_000);
  const server = await startBenchServer(await freePort());
  try {
    const databaseUrl = await server.createDatabase('bench_projections_replay');
    const rows = await replayBenchmark({ databaseUrl, events, emmettEvents, createDatabase: (name) => server.createDatabase(name) });
    console.table(rows);
    const ours = rows.find((row) => row.subject === REPLAY_SUBJECTS.ours)!.eventsPerSecond;
    for (const row of rows) {
      if (row.subject !== REPLAY_SUBJECTS.ours) console.log(`chronicle / ${row.subject} = ${(ours / row.eventsPerSecond).toFixed(2)}`);
    }
  } finally {
    await server.stop();
  }
}
