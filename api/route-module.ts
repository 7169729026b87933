import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import type { Router } from 'express';
import { RouteDefinitionError, type Route } from './route.js';

export interface RouteModuleContext {
  /** Mounted at the root: register full paths (`/api/posts/:id`). */
  router: Router;
  /** Each module documents the paths it registers; /openapi.json is generated from all of them. */
  openapi: OpenAPIRegistry;
}

/**
 * A feature's HTTP surface. Build one with `routeModule(name, [defineRoute(...), ...])`
 * inside a function of its dependencies, e.g. `postsApi(eventStore, readModels, clock)`.
 */
export interface RouteModule {
  readonly name: string;
  /**
   * Its routes never ask who is calling (login, refresh, JWKS): mounted
   * before authentication, so a stale token sent out of habit to
   * /auth/refresh does not stand in the way of getting a fresh one.
   */
  readonly public?: boolean;
  /**
   * Every path its routes answer (express syntax, `/api/posts/:id`), when
   * they are all it registers: the module's router is then entered only by
   * requests whose path starts as one of them does, instead of every request
   * walking every module's route table.
   */
  readonly paths?: readonly string[];
  register(context: RouteModuleContext): void;
  /** Its routes that read their own body (defineRoute's `rawBody`): mounted before the JSON parser. */
  registerBodyReaders?(router: Router): void;
}

/**
 * A module from route definitions: each is mounted on express and documented
 * in OpenAPI from the same object, so the two cannot drift. A module is
 * public when its routes never ask who is calling (`auth: 'none'`); routes
 * that do and routes that do not cannot share a module, since the module is
 * mounted either before authentication or after it.
 */
export function routeModule(name: string, routes: readonly Route[]): RouteModule {
  const publicRoutes = routes.filter((route) => route.auth === 'none');
  const mixed = publicRoutes.length > 0 && publicRoutes.length < routes.length;
  if (mixed) {
    const route = publicRoutes[0]!;
    throw new RouteDefinitionError(route.method, route.path, `module ${name} mixes routes with auth 'none' and routes that authenticate: split it in two`);
  }
  const seen = new Set<string>();
  for (const route of routes) {
    const key = `${route.method} ${route.openApiPath}`;
    if (seen.has(key)) throw new RouteDefinitionError(route.method, route.path, `defined twice in module ${name}`);
    seen.add(key);
  }
  const rawRoutes = routes.filter((route) => route.readBody !== undefined);
  return {
    name,
    ...(routes.length > 0 && publicRoutes.length === routes.length ? { public: true } : {}),
    paths: routes.map((route) => route.path),
    ...(rawRoutes.length > 0
      ? {
          registerBodyReaders(router: Router) {
            // Mounted with `use`, not as routes: express' route table stays one entry per route (and OpenAPI operation).
            for (const route of rawRoutes) {
              const method = route.method.toUpperCase();
              const readBody = route.readBody!;
              router.use(route.path, (req, res, next) => (req.method === method && req.path === '/' ? readBody(req, res, next) : next()));
            }
          },
        }
      : {}),
    register({ router, openapi }) {
      for (const route of routes) {
        router[route.method](route.path, route.handle);
        openapi.registerPath(route.openApi);
      }
    },
  };
}
