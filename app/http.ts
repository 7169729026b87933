import { authentication, type Authenticator } from '../api/authentication.js';
import { createHttpApp } from '../api/http-app.js';
import type { ReadinessCheck } from '../api/health-routes.js';
import type { RouteModule } from '../api/route-module.js';
import { startHttpServer, type RunningHttpServer } from '../infra/http/http-server.js';
import { readinessChecks } from './readiness-checks.js';
import type { Runtime } from './runtime.js';
import type { Services } from './services.js';
import { appVersion } from './version.js';

export interface HttpOptions {
  /** The features' routes; `[]` serves only health and metrics (the worker process). */
  routeModules: readonly RouteModule[];
  documentation: boolean;
  /** Added to the infrastructure checks, e.g. a worker's own status. */
  extraReadinessChecks?: readonly ReadinessCheck[];
  /** Who is asking, for the features' routes; absent on a worker, which serves no features. */
  authenticator?: Authenticator;
}

/** Listens on HOST:PORT; stopping it (first in shutdown) drains in-flight requests. */
export async function startHttp(runtime: Runtime, services: Services, options: HttpOptions): Promise<RunningHttpServer> {
  const { config, logger } = services;
  const app = createHttpApp({
    logger,
    bodyLimit: config.BODY_LIMIT,
    readinessChecks: [...readinessChecks(services), ...(options.extraReadinessChecks ?? [])],
    readinessTimeoutMs: config.READINESS_TIMEOUT_MS,
    routeModules: options.routeModules,
    documentation: options.documentation,
    version: appVersion(),
    metrics: services.metrics,
    trustProxy: config.TRUST_PROXY,
    corsOrigins: config.CORS_ORIGINS,
    ...(options.authenticator ? { authentication: authentication(options.authenticator) } : {}),
  });
  return runtime.start(
    'HTTP server',
    () => startHttpServer(app, { host: config.HOST, port: config.PORT, logger, shutdownGraceMs: config.SHUTDOWN_GRACE_MS }),
    (server) => server.stop(),
  );
}
