/**
 * The seal as production runs it: a worker process of its own (the engine
 * with the audit_chain projection, production settings and polling) against
 * WORKER_DATABASE_URL, until SIGTERM. The append bench starts and stops it.
 */
import { auditChainProjection } from '../../projections/audit/audit-chain-projection.js';
import { defaultRunnerSettings } from '../../projections/index.js';
import { connectWorkerEngine, exitCleanlyOnSigterm } from '../../tests/support/worker-engine.js';

const onceStarted = exitCleanlyOnSigterm();
const { batchEvents, replayBatchEvents, batchDelayMs, checkpointIntervalMs, pollMs } = defaultRunnerSettings;
// Production's polling too (PostgresEventStore's and the engine's defaults): the tests' 100 ms polls cost an idle worker 3% of a core.
const { store, knex, engine } = await connectWorkerEngine([auditChainProjection()], { batchEvents, replayBatchEvents, batchDelayMs, checkpointIntervalMs, pollMs }, { pollIntervalMs: 1_000, claimIntervalMs: 1_000 });
await engine.start();
onceStarted(async () => {
  await engine.stop();
  await Promise.all([store.close(), knex.destroy()]);
});
