import { ProjectionEngine } from '../projections/index.js';
import type { BackgroundService } from '../infra/process/background-service.js';
import type { FeatureContext } from './feature.js';
import { logCounter } from './log-counter.js';
import type { Services } from './services.js';

/** Everything the `worker` (and `start`) process runs besides HTTP: the projection engine, then each feature's own work. */
export function backgroundServices(context: FeatureContext): BackgroundService[] {
  return [projectionEngine(context.services), ...context.services.features.flatMap((feature) => feature.background?.(context) ?? [])];
}

function projectionEngine({ knex, eventStore, databaseUrl, projections, upcasters, logger, metrics }: Services): ProjectionEngine {
  return new ProjectionEngine({
    knex,
    eventStore,
    connectionString: databaseUrl,
    projections,
    upcasters,
    counter: logCounter({ knex, eventStore }),
    logger: logger.child({ component: 'projections' }),
    registry: metrics,
  });
}
