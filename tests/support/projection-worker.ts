/**
 * A worker process for the projection tests: runs the engine with the stream
 * summary projection against WORKER_DATABASE_URL until SIGTERM (or SIGKILL).
 * Silent: the tests judge it by the database.
 */
import { streamSummaryProjection } from '../../projections/index.js';
import { connectWorkerEngine, exitCleanlyOnSigterm } from './worker-engine.js';

const onceStarted = exitCleanlyOnSigterm();
const { store, knex, engine } = await connectWorkerEngine([streamSummaryProjection()], { batchEvents: Number(process.env.WORKER_BATCH_EVENTS ?? 50) });
await engine.start();
onceStarted(async () => {
  await engine.stop();
  await Promise.all([store.close(), knex.destroy()]);
});
