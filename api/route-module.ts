import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import type { Router } from 'express';

export interface RouteModuleContext {
  /** Mounted at the root: register full paths (`/api/posts/:id`). */
  router: Router;
  /** Each module documents the paths it registers; /openapi.json is generated from all of them. */
  openapi: OpenAPIRegistry;
}

/**
 * A feature's HTTP surface. Build one with a function of its dependencies,
 * e.g. `postsApi(eventStore, readModels, clock)`, and list it in the composition root.
 */
export interface RouteModule {
  readonly name: string;
  /**
   * Its routes never ask who is calling (login, refresh, JWKS): mounted
   * before authentication, so a stale token sent out of habit to
   * /auth/refresh does not stand in the way of getting a fresh one.
   */
  readonly public?: boolean;
  register(context: RouteModuleContext): void;
}
