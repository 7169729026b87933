import express, { type Express } from 'express';
import type { Registry } from 'prom-client';
import type { Logger } from '../infra/logging/logger.js';
import { docsRoutes } from './docs.js';
import { errorMiddleware, unknownRoute } from './error-middleware.js';
import { healthRoutes, type ReadinessCheck } from './health-routes.js';
import { createHttpMetrics } from './metrics.js';
import { createOpenApiRegistry, openApiRoutes } from './openapi.js';
import { requestLogging } from './request-logging.js';
import type { RouteModule } from './route-module.js';

export interface HttpAppOptions {
  logger: Logger;
  /** e.g. `1mb`; larger JSON bodies answer 413. */
  bodyLimit: string;
  readinessChecks: readonly ReadinessCheck[];
  readinessTimeoutMs: number;
  /** The features' routes; empty for an operations-only server (health and metrics). */
  routeModules: readonly RouteModule[];
  /** Serve /openapi.json and /docs. */
  documentation: boolean;
  version: string;
  /** The process's registry, shared with the other components that publish metrics. */
  metrics: Registry;
}

/** The express application: platform middleware, operations endpoints, feature modules, one error middleware. */
export function createHttpApp(options: HttpAppOptions): Express {
  const app = express();
  app.disable('x-powered-by');
  // Resources set their own ETag (the stream revision); express' body hash would contradict it.
  app.set('etag', false);

  const metrics = createHttpMetrics(options.metrics);
  const openapi = createOpenApiRegistry();
  app.use(requestLogging(options.logger));
  app.use(metrics.middleware);
  app.use(express.json({ limit: options.bodyLimit }));

  const modules: RouteModule[] = [healthRoutes(options.readinessChecks, options.readinessTimeoutMs), metrics.routes];
  if (options.documentation) modules.push(openApiRoutes(openapi, { title: 'Chronicle', version: options.version }), docsRoutes());
  modules.push(...options.routeModules);

  const names = new Set<string>();
  for (const module of modules) {
    if (names.has(module.name)) throw new Error(`route module ${module.name} is registered twice`);
    names.add(module.name);
    const router = express.Router();
    module.register({ router, openapi });
    app.use(router);
  }

  app.use(unknownRoute);
  app.use(errorMiddleware);
  return app;
}
