import type { DestinationStream } from 'pino';
import { loadConfig } from '../../infra/config/config.js';
import type { EventStore } from '../../infra/event-store/event-store.js';
import { createLogger } from '../../infra/logging/logger.js';
import type { RouteModule } from '../../api/route-module.js';
import { identityFeature } from '../../api/identity/index.js';
import type { IdentityOverrides } from '../../api/identity/create-identity.js';
import { connectServices } from '../../app/connect-services.js';
import type { Feature } from '../../app/feature.js';
import { features as installedFeatures, withFeature } from '../../app/features.js';
import { startRole, type ServerRole } from '../../app/processes.js';
import type { Runtime as CommandRuntime } from '../../commands/runtime.js';
import { Runtime } from '../../app/runtime.js';
import type { Services } from '../../app/services.js';
import { createTestDatabase } from './database.js';
import { TEST_SCRYPT } from './identity-harness.js';

export interface TestAppOptions {
  role?: ServerRole;
  /** Extra environment, e.g. `{ BODY_LIMIT: '1kb' }`. */
  env?: Record<string, string>;
  /** Extra routes; a function when they need the app's services (its knex, its event store). */
  routeModules?: readonly RouteModule[] | ((services: Services) => readonly RouteModule[]);
  /** Replaces the connected event store, e.g. with one whose health() fails. */
  eventStore?: (databaseUrl: string) => Promise<EventStore>;
  /** Where the app's JSON log lines go (with env LOG_LEVEL), e.g. to look for secrets in them. */
  logDestination?: DestinationStream;
  /** The test scrypt cost unless told otherwise; `runtime` (ids and clock) is the whole process's. */
  identity?: IdentityOverrides & { runtime?: CommandRuntime };
  /** Beside the installation's features (or in place of the one of the same name), e.g. a test-only feature. */
  features?: readonly Feature[];
  /** Another app's database (a second process of one installation); left for its owner to drop. */
  databaseUrl?: string;
}

export interface TestApp {
  url: string;
  services: Services;
  runtime: Runtime;
  /** Stops the app as SIGTERM would, then drops its database. */
  stop(): Promise<void>;
}

/** The real composition root on its own database and a free port, in this process. */
export async function startTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const database = options.databaseUrl ? { url: options.databaseUrl, drop: async () => undefined } : await createTestDatabase();
  const config = loadConfig({
    DATABASE_URL: database.url,
    HOST: '127.0.0.1',
    PORT: '0',
    LOG_LEVEL: 'silent',
    ...options.env,
  });
  const logger = createLogger(config.LOG_LEVEL, options.logDestination);
  const runtime = new Runtime(logger);
  try {
    const { runtime: commandRuntime, ...identity }: NonNullable<TestAppOptions['identity']> = options.identity ?? {};
    const features = [identityFeature({ scrypt: TEST_SCRYPT, ...identity }), ...(options.features ?? [])].reduce(withFeature, [...installedFeatures]);
    const connected = await connectServices(runtime, config, logger, features);
    const services = options.eventStore ? { ...connected, eventStore: await options.eventStore(database.url) } : connected;
    const server = await startRole(runtime, services, options.role ?? 'api', {
      routeModules: typeof options.routeModules === 'function' ? options.routeModules(services) : (options.routeModules ?? []),
      ...(commandRuntime ? { commandRuntime } : {}),
    });
    return {
      url: server.url,
      services,
      runtime,
      stop: async () => {
        await runtime.stop();
        await database.drop();
      },
    };
  } catch (error) {
    await runtime.stop().catch(() => undefined);
    await database.drop();
    throw error;
  }
}
