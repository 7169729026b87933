import { consoleRoutes } from '../api/console/console-routes.js';
import { loadConfig } from '../infra/config/config.js';
import { createLogger, type Logger } from '../infra/logging/logger.js';
import type { RouteModule } from '../api/route-module.js';
import type { Runtime as CommandRuntime } from '../commands/runtime.js';
import type { RunningHttpServer } from '../infra/http/http-server.js';
import type { BackgroundService } from '../infra/process/background-service.js';
import { backgroundServices } from './background-services.js';
import { connectServices } from './connect-services.js';
import { startFeatureApis } from './feature-apis.js';
import { createFeatureContext } from './feature-context.js';
import { startHttp } from './http.js';
import { createIdempotency } from './idempotency.js';
import { oneLine } from './errors.js';
import { startReadSide } from './read-side.js';
import { Runtime } from './runtime.js';
import type { Services } from './services.js';
import { listenForShutdown } from './shutdown-signal.js';

/**
 * - start: HTTP API and background services in one process (the default).
 * - api: HTTP API only; run as many as you like.
 * - worker: background services, plus health and metrics over HTTP for probes and scrapes.
 */
export type ServerRole = 'start' | 'api' | 'worker';

export interface RoleExtras {
  /** Beside the features' modules; tests add routes this way. */
  routeModules?: readonly RouteModule[];
  backgroundServices?: readonly BackgroundService[];
  /** Ids and time for the process's commands; tests pass a clock they can move. */
  commandRuntime?: CommandRuntime;
}

/**
 * Starts what a role runs on top of connected services (their features
 * included); all of it is registered in `runtime`.
 */
export async function startRole(runtime: Runtime, services: Services, role: ServerRole, extras: RoleExtras = {}): Promise<RunningHttpServer> {
  const context = createFeatureContext(services, extras.commandRuntime);
  if (role !== 'api') {
    for (const service of [...backgroundServices(context), ...(extras.backgroundServices ?? [])]) {
      await runtime.start(`background service ${service.name}`, () => service.start(), () => service.stop());
      services.logger.info({ component: service.name }, 'background service started');
    }
  }
  const withApi = role !== 'worker';
  if (!withApi) return startHttp(runtime, services, { routeModules: [], documentation: false });
  const readSide = await startReadSide(runtime, services);
  const apis = await startFeatureApis(runtime, { ...context, readYourWrites: readSide.readYourWrites, idempotency: createIdempotency(services) });
  const http = await startHttp(runtime, services, {
    routeModules: [...apis.routes, consoleRoutes(), ...(extras.routeModules ?? [])],
    documentation: true,
    ...(apis.authenticator ? { authenticator: apis.authenticator } : {}),
  });
  // Registered after HTTP, so stopped before it: long-lived connections close first and HTTP drains.
  for (const { name, attach } of apis.attachments) {
    await runtime.start(`feature ${name} on HTTP`, async () => attach(http.server, apis.authenticator ? { authenticator: apis.authenticator } : {}), (attached) => attached.detach());
  }
  return http;
}

/** A long-running process: runs until SIGINT or SIGTERM, then stops everything in reverse order. Returns the exit code. */
export async function runServer(role: ServerRole, env: NodeJS.ProcessEnv): Promise<number> {
  const config = loadConfig(env);
  const logger = createLogger(config.LOG_LEVEL);
  const runtime = new Runtime(logger);
  const shutdown = listenForShutdown((signal) => {
    logger.warn({ signal }, 'second Ctrl-C: exiting without finishing shutdown');
    process.exit(1);
  });
  process.on('uncaughtException', (error) => crash(logger, runtime, error));
  process.on('unhandledRejection', (error) => crash(logger, runtime, error));

  try {
    const services = await connectServices(runtime, config, logger);
    const server = await startRole(runtime, services, role);
    logger.info({ role, url: server.url, eventStore: services.eventStore.kind, ...readyLinks(role, server.url) }, readyMessage(role, server.url));
  } catch (error) {
    logger.fatal({ reason: oneLine(error) }, 'start-up failed');
    await runtime.stop().catch(() => undefined);
    throw error;
  }

  const signal = await shutdown.received;
  logger.info({ signal }, 'shutting down');
  try {
    await runtime.stop();
  } catch (error) {
    logger.error({ reason: oneLine(error) }, 'shutdown incomplete');
    return 1;
  } finally {
    shutdown.dispose();
  }
  logger.info('stopped');
  return 0;
}

/** Where a person goes next: the API and its documentation, or a worker's probes. */
function readyLinks(role: ServerRole, url: string): { docsUrl?: string } {
  return role === 'worker' ? {} : { docsUrl: `${url}/docs` };
}

function readyMessage(role: ServerRole, url: string): string {
  return role === 'worker'
    ? `chronicle worker ready: health and metrics on ${url}/healthz, ${url}/readyz, ${url}/metrics`
    : `chronicle ready: API on ${url}, docs on ${url}/docs`;
}

function crash(logger: Logger, runtime: Runtime, error: unknown): void {
  logger.fatal({ err: error }, 'unexpected error; stopping');
  void runtime
    .stop()
    .catch(() => undefined)
    .finally(() => process.exit(1));
}
