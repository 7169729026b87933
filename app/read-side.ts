import { readYourWrites, type ReadYourWrites } from '../api/read-your-writes.js';
import { CheckpointWaiter } from '../projections/index.js';
import type { Runtime } from './runtime.js';
import type { Services } from './services.js';

/** What query routes need beside the read models: waiting for the projections to reach a position. */
export interface ReadSide {
  readonly checkpoints: CheckpointWaiter;
  /** For query routes: honours X-Min-Position for the read models they use. */
  readonly readYourWrites: ReadYourWrites;
}

/** Started by processes that serve the API, stopped with them. */
export async function startReadSide(runtime: Runtime, services: Services): Promise<ReadSide> {
  const checkpoints = new CheckpointWaiter({
    knex: services.knex,
    connectionString: services.databaseUrl,
    projectionNames: services.projections.map((projection) => projection.name),
    logger: services.logger.child({ component: 'read-your-writes' }),
  });
  await runtime.start('projection checkpoint listener', () => checkpoints.start(), () => checkpoints.stop());
  return { checkpoints, readYourWrites: readYourWrites(checkpoints, services.config.READ_YOUR_WRITES_TIMEOUT_MS) };
}
