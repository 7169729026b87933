import express, { type Express, type RequestHandler } from 'express';
import type { Registry } from 'prom-client';
import type { Logger } from '../infra/logging/logger.js';
import { cors } from './cors.js';
import { docsRoutes } from './docs.js';
import { errorMiddleware, unknownRoute } from './error-middleware.js';
import { healthRoutes, type ReadinessCheck } from './health-routes.js';
import { createHttpMetrics } from './metrics.js';
import { createOpenApiRegistry } from './openapi.js';
import { openApiRoutes } from './openapi-routes.js';
import { requestLogging } from './request-logging.js';
import type { RouteModule } from './route-module.js';
import { onlyUnder } from './route-prefixes.js';

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
  /** Sets the principal from the request's credential (api/authentication.ts); absent, every request is anonymous. */
  authentication?: RequestHandler;
  /** express' 'trust proxy': which peers are believed about the client's address (req.ip, used by the rate limits). */
  trustProxy: false | number | string;
  /** CORS_ORIGINS: origins whose scripts may call the API; empty keeps it same-origin. */
  corsOrigins: readonly string[];
}

/** The express application: platform middleware, operations endpoints, feature modules, one error middleware. */
export function createHttpApp(options: HttpAppOptions): Express {
  const app = express();
  app.disable('x-powered-by');
  // Resources set their own ETag (the stream revision); express' body hash would contradict it.
  app.set('etag', false);
  app.set('trust proxy', options.trustProxy);

  const metrics = createHttpMetrics(options.metrics);
  const openapi = createOpenApiRegistry();
  app.use(requestLogging(options.logger));
  app.use(cors(options.corsOrigins));
  app.use(metrics.middleware);
  // Routes that read their own body (defineRoute's rawBody) do so first; the JSON parser leaves a body already read.
  const bodyReaders = express.Router();
  options.routeModules.forEach((module) => module.registerBodyReaders?.(bodyReaders));
  app.use(bodyReaders);
  app.use(express.json({ limit: options.bodyLimit }));

  const modules: RouteModule[] = [healthRoutes(options.readinessChecks, options.readinessTimeoutMs), metrics.routes];
  if (options.documentation) modules.push(openApiRoutes(openapi, { title: 'Chronicle', version: options.version }), docsRoutes());
  // Operations endpoints and public modules answer whatever credential comes along; the rest sit behind authentication.
  modules.push(...options.routeModules.filter((module) => module.public));
  const protectedModules = options.routeModules.filter((module) => !module.public);

  const names = new Set<string>();
  const mount = (module: RouteModule) => {
    if (names.has(module.name)) throw new Error(`route module ${module.name} is registered twice`);
    names.add(module.name);
    const router = express.Router();
    module.register({ router, openapi });
    app.use(module.paths ? onlyUnder(module.paths, router) : router);
  };
  modules.forEach(mount);
  if (options.authentication) app.use(options.authentication);
  protectedModules.forEach(mount);

  app.use(unknownRoute);
  app.use(errorMiddleware);
  return app;
}
