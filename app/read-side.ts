import { CheckpointWaiter } from '../projections/index.js';
import type { Runtime } from './runtime.js';
import type { Services } from './services.js';

/** What query routes need beside the read models: waiting for the projections to reach a position. */
export interface ReadSide {
  readonly checkpoints: CheckpointWaiter;
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
  return { checkpoints };
}
