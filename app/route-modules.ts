import type { RouteModule } from '../api/route-module.js';
import { adminProjectionsApi } from '../api/admin/projections-routes.js';
import { logCounter } from './log-counter.js';
import type { ReadSide } from './read-side.js';
import type { Services } from './services.js';

/**
 * Every feature's HTTP routes, in mounting order. A feature adds one line here:
 * `postsApi(services.eventStore, postsReadModel(services.knex), systemClock)`.
 * Health, metrics, /openapi.json and /docs are mounted by the HTTP app itself.
 */
export function featureRouteModules(services: Services, readSide: ReadSide): RouteModule[] {
  void readSide;
  return [adminProjectionsApi({ ...services, counter: logCounter(services) })];
}
