import type { RouteModule } from '../api/route-module.js';
import type { Services } from './services.js';

/**
 * Every feature's HTTP routes, in mounting order. A feature adds one line here:
 * `postsApi(services.eventStore, postsReadModel(services.knex), systemClock)`.
 * Health, metrics, /openapi.json and /docs are mounted by the HTTP app itself.
 */
export function featureRouteModules(services: Services): RouteModule[] {
  void services;
  return [];
}
