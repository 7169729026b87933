/**
 * The seal as production runs it: a worker process of its own (the engine
 * with the audit_chain projection, production batch settings) against
 * WORKER_DATABASE_URL, until SIGTERM. The append bench starts and stops it.
 */
import { auditChainProjection } from '../../projections/audit/audit-chain-projection.js';
import { defaultRunnerSettings } from '../../projections/index.js';
import { connectWorkerEngine, exitCleanlyOnSigterm } from '../../tests/support/worker-engine.js';

const onceStarted = exitCleanlyOnSigterm();
const { batchEvents, replayBatchEvents, batchDelayMs, checkpointIntervalMs } = defaultRunnerSettings;
const { store, knex, engine } = await connectWorkerEngine([auditChainProjection()], { batchEvents, replayBatchEvents, batchDelayMs, checkpointIntervalMs });
await engine.start();
onceStarted(async () => {
  await engine.stop();
  await Promise.all([store.close(), knex.destroy()]);
});
