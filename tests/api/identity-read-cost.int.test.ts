import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { SNAPSHOT_EVERY } from '../../commands/snapshots.js';
import { PostgresEventStore } from '../../infra/event-store/postgres/postgres-event-store.js';
import { createLogger } from '../../infra/logging/logger.js';
import { expectError, expectJson, GENEROUS_LIMITS_ENV, HttpClient, type AuthAnswer } from '../support/auth-http.js';
import { CountingEventStore } from '../support/counting-event-store.js';
import { GOOD_PASSWORD, uniqueEmail } from '../support/identity-harness.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const FAILED_LOGINS = 150;

let app: TestApp;
let http: HttpClient;
let store: CountingEventStore;
let inner: PostgresEventStore | undefined;

beforeAll(async () => {
  app = await startTestApp({
    env: GENEROUS_LIMITS_ENV,
    eventStore: async (url) => {
      inner = await PostgresEventStore.connect({ connectionString: url, logger: createLogger('silent') });
      store = new CountingEventStore(inner);
      return store;
    },
  });
  http = new HttpClient(app.url);
}, 60_000);
afterAll(async () => {
  await app?.stop();
  await inner?.close();
});

/** Events read from streams by login, /auth/me and refresh for one account. */
async function readCosts(email: string): Promise<{ login: number; me: number; refresh: number }> {
  let session: AuthAnswer | undefined;
  const login = await store.eventsReadBy(async () => {
    session = await http.login(email);
  });
  const me = await store.eventsReadBy(async () => expectJson(await http.get('/auth/me', { bearer: session!.accessToken }), 200));
  const refresh = await store.eventsReadBy(async () => expectJson(await http.post('/auth/refresh', { refreshToken: session!.refreshToken }), 200));
  return { login, me, refresh };
}

describe('identity reads do not grow with the account history', () => {
  it(`after ${FAILED_LOGINS} failed logins, login, /auth/me and refresh read about as much as for a fresh account`, async () => {
    const busy = uniqueEmail('busy');
    const fresh = uniqueEmail('fresh');
    await http.signup({ email: busy });
    await http.signup({ email: fresh });
    for (let i = 0; i < FAILED_LOGINS; i++) {
      await expectError(await http.post('/auth/login', { email: busy, password: `wrong ${GOOD_PASSWORD} ${i}` }), 401, 'invalid_credentials');
    }

    const busyCost = await readCosts(busy);
    const freshCost = await readCosts(fresh);
    // At most the events after the last snapshot, for each of the few loads an operation makes.
    const bound = (loads: number, base: number) => base + loads * SNAPSHOT_EVERY;
    expect(busyCost.me).toBeLessThanOrEqual(bound(1, freshCost.me));
    expect(busyCost.refresh).toBeLessThanOrEqual(bound(1, freshCost.refresh));
    expect(busyCost.login).toBeLessThanOrEqual(bound(2, freshCost.login));
    expect(busyCost.login).toBeLessThan(FAILED_LOGINS / 2);
  }, 60_000);
});

describe("a tenant's commands do not grow with its history", () => {
  const INVITATIONS = 60;

  it(`after ${INVITATIONS} invitations, inviting one more reads about as much as the first`, async () => {
    const admin = await http.signup({ email: uniqueEmail('inviting-admin') });
    const invite = (label: string) => async () =>
      expectJson(await http.post('/api/invitations', { email: uniqueEmail(label) }, { bearer: admin.accessToken }), 201);

    const first = await store.eventsReadBy(invite('first-invitee'));
    for (let i = 0; i < INVITATIONS; i++) await invite(`invitee-${i}`)();
    const later = await store.eventsReadBy(invite('later-invitee'));

    // At most the events after the last snapshot of the tenant, for the one load an invitation makes.
    expect(later).toBeLessThanOrEqual(first + SNAPSHOT_EVERY);
  }, 60_000);
});
