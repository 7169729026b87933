import type { Knex } from 'knex';
import { CommandHandler } from '../../commands/command-handler.js';
import { PostgresSnapshotStore } from '../../commands/postgres-snapshot-store.js';
import { systemRuntime, type Runtime } from '../../commands/runtime.js';
import { createIdentityService, type IdentityServiceOptions } from '../../auth/create-identity-service.js';
import type { IdentityService } from '../../auth/identity-service.js';
import type { RequestInfo } from '../../auth/identity/request-info.js';
import { PostgresEventStore } from '../../infra/event-store/postgres/postgres-event-store.js';
import { createLogger } from '../../infra/logging/logger.js';
import { createKnex } from '../../infra/postgres/knex.js';
import { createTestDatabase, type TestDatabase } from './database.js';

/** Cheap enough for tests; the production cost is tested once, on its own (passwords.int.test.ts). */
export const TEST_SCRYPT = { N: 2 ** 10, r: 8, p: 1 };

export const TEST_TOKENS = { issuer: 'https://chronicle.test', audience: 'chronicle-api', ttlSeconds: 900, clockToleranceSeconds: 5, encrypt: false };

/** Limits no test reaches unless it means to. */
export const GENEROUS_LIMITS = {
  signupPerIp: { points: 1_000, windowSeconds: 60 },
  signupPerEmail: { points: 1_000, windowSeconds: 60 },
  loginPerIp: { points: 1_000, windowSeconds: 60 },
  loginFailuresPerAccount: { points: 1_000, windowSeconds: 60 },
  verificationResendPerUser: { points: 1_000, windowSeconds: 60 },
  passwordResetPerEmail: { points: 1_000, windowSeconds: 60 },
  passwordResetPerIp: { points: 1_000, windowSeconds: 60 },
  apiKeyIssuePerTenant: { points: 1_000, windowSeconds: 60 },
  oidcLoginPerIp: { points: 1_000, windowSeconds: 60 },
};

/** A clock tests can move; ids stay real UUIDv7s (the event store wants UUID event ids). */
export class TestClock {
  private offsetMs = 0;
  now = (): Date => new Date(Date.now() + this.offsetMs);
  advance(ms: number): void {
    this.offsetMs += ms;
  }
}

export interface IdentityHarness {
  database: TestDatabase;
  knex: Knex;
  store: PostgresEventStore;
  clock: TestClock;
  runtime: Runtime;
  identity: IdentityService;
  /** Another service over the same database, e.g. with other settings. */
  createService(overrides?: Partial<IdentityServiceOptions>): Promise<IdentityService>;
  dispose(): Promise<void>;
}

export async function createIdentityHarness(overrides: Partial<IdentityServiceOptions> = {}): Promise<IdentityHarness> {
  const database = await createTestDatabase();
  const knex = createKnex(database.url, 10);
  const store = await PostgresEventStore.connect({ connectionString: database.url, logger: createLogger('silent'), pollIntervalMs: 200 });
  const clock = new TestClock();
  const runtime: Runtime = { newId: systemRuntime().newId, now: clock.now };
  const createService = (more: Partial<IdentityServiceOptions> = {}) => {
    const chosen = { ...overrides, ...more };
    // As the composition root does: one handler over the service's own event store and clock.
    const eventStore = chosen.eventStore ?? store;
    const commands = chosen.commands ?? new CommandHandler({ eventStore, runtime: chosen.runtime ?? runtime, snapshots: new PostgresSnapshotStore(knex) });
    return createIdentityService({
      knex,
      eventStore,
      runtime,
      tokens: TEST_TOKENS,
      sessions: { refreshTtlSeconds: 30 * 24 * 3600, reuseGraceSeconds: 10 },
      limits: GENEROUS_LIMITS,
      scrypt: TEST_SCRYPT,
      ...chosen,
      commands,
    });
  };
  const identity = await createService();
  return {
    database,
    knex,
    store,
    clock,
    runtime,
    identity,
    createService,
    dispose: async () => {
      await store.close();
      await knex.destroy();
      await database.drop();
    },
  };
}

let requestCounter = 0;

export function request(ip = '203.0.113.7'): RequestInfo {
  requestCounter += 1;
  return { requestId: `req-${requestCounter}`, ip, userAgent: 'jest' };
}

export const GOOD_PASSWORD = 'correct horse battery staple';

export function uniqueEmail(name = 'user'): string {
  return `${name}.${Math.random().toString(36).slice(2, 10)}@example.com`;
}
