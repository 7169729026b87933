import type { LevelWithSilent } from 'pino';
import { PostgresEventStore } from '../../infra/event-store/postgres/postgres-event-store.js';
import { createLogger, type Logger } from '../../infra/logging/logger.js';
import { createKnex } from '../../infra/postgres/knex.js';
import { ProjectionEngine, postgresLogCounter, type AnyProjection } from '../../projections/index.js';
import type { Knex } from 'knex';
import { SIGTERM_HANDLED } from './child-worker.js';
import { fastSettings } from './projection-harness.js';

export interface WorkerEngine {
  store: PostgresEventStore;
  knex: Knex;
  engine: ProjectionEngine;
  logger: Logger;
}

/**
 * What a worker process of the tests runs: the engine with `projections`
 * against WORKER_DATABASE_URL, owned by this process. Silent unless
 * WORKER_LOG_LEVEL says otherwise (the chaos run keeps its stderr).
 */
export async function connectWorkerEngine(
  projections: readonly AnyProjection[],
  settings: Partial<typeof fastSettings> = {},
  /** How often the store and the engine look without being woken: fast for the tests, production's for the bench. */
  polling: { pollIntervalMs: number; claimIntervalMs: number } = { pollIntervalMs: 100, claimIntervalMs: 100 },
): Promise<WorkerEngine> {
  const url = process.env.WORKER_DATABASE_URL;
  if (!url) throw new Error('WORKER_DATABASE_URL is unset');
  const logger = createLogger((process.env.WORKER_LOG_LEVEL as LevelWithSilent | undefined) ?? 'silent', process.stderr);
  const store = await PostgresEventStore.connect({ connectionString: url, logger, pollIntervalMs: polling.pollIntervalMs });
  const knex = createKnex(url, 5);
  const engine = new ProjectionEngine({
    knex,
    eventStore: store,
    connectionString: url,
    projections,
    counter: postgresLogCounter(knex),
    logger,
    claimIntervalMs: polling.claimIntervalMs,
    ownerId: `child-${process.pid}`,
    settings: { ...fastSettings, ...settings },
  });
  return { store, knex, engine, logger };
}

/**
 * Makes SIGTERM end the worker with exit code 0 whenever it comes: one that
 * arrives while the worker is still starting waits for the start, then
 * stops. Call it first; it tells the parent (child-worker.ts), which holds
 * its SIGTERMs until then: before, a worker SIGTERMed during its start-up
 * died by the signal's default, with no exit code. The returned function
 * hands over how to stop, once started.
 */
export function exitCleanlyOnSigterm(): (stop: () => Promise<void>) => void {
  let handOver: (stop: () => Promise<void>) => void = () => undefined;
  const stopper = new Promise<() => Promise<void>>((resolve) => (handOver = resolve));
  process.once('SIGTERM', () => {
    void stopper
      .then((stop) => stop())
      .finally(() => process.exit(0));
  });
  process.send?.(SIGTERM_HANDLED);
  return handOver;
}
