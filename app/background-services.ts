import type { BackgroundService } from './background-service.js';
import type { Services } from './services.js';

/**
 * Everything the `worker` (and `start`) process runs besides HTTP. The
 * projection engine adds itself here: `projectionRunner(services.eventStore, services.knex, projections)`.
 */
export function backgroundServices(services: Services): BackgroundService[] {
  void services;
  return [];
}
