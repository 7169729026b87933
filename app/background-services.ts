import { ProjectionEngine } from '../projections/index.js';
import { identityHousekeeping } from './identity.js';
import { logCounter } from './log-counter.js';
import type { BackgroundService } from './background-service.js';
import type { Services } from './services.js';

/** Everything the `worker` (and `start`) process runs besides HTTP. */
export function backgroundServices(services: Services): BackgroundService[] {
  return [projectionEngine(services), identityHousekeeping(services)];
}

function projectionEngine({ knex, eventStore, databaseUrl, projections, logger, metrics }: Services): ProjectionEngine {
  return new ProjectionEngine({
    knex,
    eventStore,
    connectionString: databaseUrl,
    projections,
    counter: logCounter({ knex, eventStore }),
    logger: logger.child({ component: 'projections' }),
    registry: metrics,
  });
}
