/**
 * A worker process for the projection tests: runs the engine with the stream
 * summary projection against WORKER_DATABASE_URL until SIGTERM (or SIGKILL).
 * Silent: the tests judge it by the database.
 */
import type { LevelWithSilent } from 'pino';
import { PostgresEventStore } from '../../infra/event-store/postgres/postgres-event-store.js';
import { createLogger } from '../../infra/logging/logger.js';
import { createKnex } from '../../infra/postgres/knex.js';
import { ProjectionEngine, postgresLogCounter, streamSummaryProjection } from '../../projections/index.js';
import { fastSettings } from './projection-harness.js';

const url = process.env.WORKER_DATABASE_URL;
if (!url) throw new Error('WORKER_DATABASE_URL is unset');
// WORKER_LOG_LEVEL=warn shows why a worker restarts (the chaos run keeps its stderr).
const logger = createLogger((process.env.WORKER_LOG_LEVEL as LevelWithSilent | undefined) ?? 'silent', process.stderr);
const store = await PostgresEventStore.connect({ connectionString: url, logger, pollIntervalMs: 100 });
const knex = createKnex(url, 5);
const engine = new ProjectionEngine({
  knex,
  eventStore: store,
  connectionString: url,
  projections: [streamSummaryProjection()],
  counter: postgresLogCounter(knex),
  logger,
  claimIntervalMs: 100,
  ownerId: `child-${process.pid}`,
  settings: { ...fastSettings, batchEvents: Number(process.env.WORKER_BATCH_EVENTS ?? 50) },
});
await engine.start();

process.once('SIGTERM', () => {
  void engine
    .stop()
    .then(() => Promise.all([store.close(), knex.destroy()]))
    .finally(() => process.exit(0));
});
