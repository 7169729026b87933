import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { analyticsFeature } from '../../api/analytics/index.js';
import { AnomalyReactor } from '../../commands/analytics/anomaly-reactor.js';
import { MINUTE_MS, type AnomalySettings } from '../../domain/analytics/anomaly-detection.js';
import { createLogger } from '../../infra/logging/logger.js';
import { ANOMALIES_DUE } from '../../projections/analytics/anomalies-projection.js';
import { expectError, expectJson, GENEROUS_LIMITS_ENV, HttpClient, type AuthAnswer } from '../support/auth-http.js';
import { appendGiven, type GivenEvent } from '../support/given-events.js';
import { eventually } from '../support/projection-harness.js';
import { uniqueEmail } from '../support/identity-harness.js';
import { readModelsBuilt } from '../support/read-models.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { received } from '../support/warehouse-events.js';

const settings: AnomalySettings = { zThreshold: 4, minVolume: 10, alpha: 0.1, warmupMinutes: 10 };
const GRACE_MS = 120_000;
const BASE = Date.parse('2026-06-01T10:00:00.000Z');
const minute = (index: number) => new Date(BASE + index * MINUTE_MS).toISOString();

interface AnomalyItem {
  id: string;
  event: string;
  minute: string;
  kind: string;
  observed: number;
}

let app: TestApp;
let http: HttpClient;
let admin: AuthAnswer;
let tenantId: string;

beforeAll(async () => {
  app = await startTestApp({
    role: 'start',
    env: { ...GENEROUS_LIMITS_ENV, READ_YOUR_WRITES_TIMEOUT_MS: '30000', ANALYTICS_ANOMALY_CHECK_INTERVAL_MS: '3600000', API_KEY_DEFAULT_RATE_LIMIT_PER_MINUTE: '100000' },
    features: [analyticsFeature({ anomalies: settings })],
  });
  await readModelsBuilt(app);
  http = new HttpClient(app.url);
  admin = await http.signup();
  tenantId = admin.user.tenantId;
}, 60_000);
afterAll(async () => app?.stop());

/** One ingest request per (series, minute), appended minute by minute, as traffic arrives. */
function traffic(plan: Record<string, (index: number) => number>, minutes: number): GivenEvent[] {
  const events: GivenEvent[] = [];
  for (let index = 0; index < minutes; index++) {
    for (const [event, countAt] of Object.entries(plan)) {
      const request = randomUUID();
      for (let n = 0; n < countAt(index); n++) {
        // Spread over the minute, each with its own messageId.
        const at = new Date(BASE + index * MINUTE_MS + n * 10).toISOString();
        events.push(received(tenantId, randomUUID(), { event, at, request }));
      }
    }
  }
  return events;
}

function reactor(now: number): AnomalyReactor {
  const { knex, eventStore } = app.services;
  return new AnomalyReactor({
    knex,
    eventStore,
    runtime: { newId: () => randomUUID(), now: () => new Date(now) },
    logger: createLogger('silent'),
    settings,
    graceMs: GRACE_MS,
    intervalMs: 3_600_000,
  });
}

async function anomalies(position?: bigint): Promise<AnomalyItem[]> {
  const headers: Record<string, string> = position === undefined ? {} : { 'x-min-position': String(position) };
  const page = await expectJson<{ items: AnomalyItem[]; nextCursor: string | null }>(await http.get('/api/analytics/anomalies?limit=100', { bearer: admin.accessToken, headers }), 200);
  return page.items;
}

async function recorded(): Promise<Array<{ id: string; event: string; minute: string; kind: string }>> {
  const events = await app.services.eventStore.readStream(`anomaly-${tenantId}`);
  return events.map((event) => ({ id: event.id, ...(event.data as { event: string; minute: string; kind: string }) }));
}

const noisy = (index: number) => 30 + (((index * 7919) % 21) - 10);

describe('analytics anomalies', () => {
  it('flags a spike and a drop (also one with no event after it), not steady or noisy traffic; a second worker and a replay report nothing twice', async () => {
    const plan: Record<string, (index: number) => number> = {
      Steady: () => 30,
      Noisy: noisy,
      Spiky: (index) => (index === 20 ? 150 : 30),
      // Stops at minute 20 and comes back at 25: the projection sees the empty minutes when the next event arrives.
      Dropping: (index) => (index < 20 || index === 25 ? 30 : 0),
      // Stops at minute 20 for good: only the timer can tell.
      Silent: (index) => (index < 20 ? 30 : 0),
    };
    const position = await appendGiven(app.services.eventStore, traffic(plan, 40));
    // The projection has read every event: its due rows are there.
    expect(await anomalies(position)).toEqual([]);

    // The clock: minute 20 ended more than the grace ago, minute 21 not.
    const now = BASE + 21 * MINUTE_MS + GRACE_MS + 30_000;
    const steadyEnd = BASE + 41 * MINUTE_MS;
    expect(now).toBeLessThan(steadyEnd);
    expect(await reactor(now).runOnce()).toBe(3);
    const found = await recorded();
    expect(found.map(({ event, minute: at, kind }) => ({ event, minute: at, kind })).sort((a, b) => a.event.localeCompare(b.event))).toEqual([
      { event: 'Dropping', minute: minute(20), kind: 'drop' },
      { event: 'Silent', minute: minute(20), kind: 'drop' },
      { event: 'Spiky', minute: minute(20), kind: 'spike' },
    ]);
    const head = (await app.services.eventStore.readStream(`anomaly-${tenantId}`, { direction: 'backwards', maxCount: 1 }))[0]!.position;
    const listed = await anomalies(head);
    expect(listed.map((item) => item.id).sort()).toEqual(found.map((item) => item.id).sort());
    expect(listed.find((item) => item.event === 'Spiky')).toMatchObject({ kind: 'spike', observed: 150 });
    // The projection read the events: nothing is due any more.
    expect(await app.services.knex(ANOMALIES_DUE).count<{ count: string }[]>('* as count')).toEqual([{ count: '0' }]);

    // A second worker, and the first one again later: the same anomalies, the same ids, nothing new in the log.
    expect(await reactor(now).runOnce()).toBe(0);
    expect(await reactor(now + 5 * MINUTE_MS).runOnce()).toBe(0);
    expect(await recorded()).toEqual(found);

    // A replay of the projection finds the same anomalies, recorded already: none becomes due again, none is appended.
    const started = await http.post('/api/admin/projections/analytics_anomalies/replay', {}, { bearer: admin.accessToken });
    await expectJson(started, 202);
    await eventually('the replay completes', async () => {
      const { state } = await expectJson<{ state: string }>(await http.get(started.headers.get('location')!, { bearer: admin.accessToken }), 200);
      expect(state).not.toBe('failed');
      return state === 'completed';
    }, 60_000);
    expect(await app.services.knex(ANOMALIES_DUE).count<{ count: string }[]>('* as count')).toEqual([{ count: '0' }]);
    expect(await reactor(now).runOnce()).toBe(0);
    expect(await recorded()).toEqual(found);
    expect((await anomalies()).map((item) => item.id).sort()).toEqual(found.map((item) => item.id).sort());
  }, 120_000);

  it('lists to admins of the tenant and keys with the read scope, one page at a time; members and ingest-only keys are refused', async () => {
    const readKey = await expectJson<{ key: string }>(await http.post('/api/api-keys', { name: 'reader', scopes: ['read'] }, { bearer: admin.accessToken }), 201);
    const ingestKey = await expectJson<{ key: string }>(await http.post('/api/api-keys', { name: 'writer', scopes: ['ingest'] }, { bearer: admin.accessToken }), 201);
    const first = await expectJson<{ items: AnomalyItem[]; nextCursor: string | null }>(await http.get('/api/analytics/anomalies?limit=2', { headers: { 'x-api-key': readKey.key } }), 200);
    expect(first.items).toHaveLength(2);
    const second = await expectJson<{ items: AnomalyItem[]; nextCursor: string | null }>(
      await http.get(`/api/analytics/anomalies?limit=2&cursor=${encodeURIComponent(first.nextCursor!)}`, { headers: { 'x-api-key': readKey.key } }),
      200,
    );
    expect(second.items).toHaveLength(1);
    expect(second.nextCursor).toBeNull();
    expect(new Set([...first.items, ...second.items].map((item) => item.id)).size).toBe(3);
    await expectError(await http.get('/api/analytics/anomalies', { headers: { 'x-api-key': ingestKey.key } }), 403, 'insufficient_scope');
    // Like every analytics read: the facts behind them are the admins' to see.
    const email = uniqueEmail('member');
    const invitation = await expectJson<{ token: string }>(await http.post('/api/invitations', { email }, { bearer: admin.accessToken }), 201);
    const member = await http.signup({ email, invitationToken: invitation.token });
    await expectError(await http.get('/api/analytics/anomalies', { bearer: member.accessToken }), 403, 'admin_required');
    // Another tenant sees none of them.
    const other = await http.signup();
    expect((await expectJson<{ items: AnomalyItem[] }>(await http.get('/api/analytics/anomalies', { bearer: other.accessToken }), 200)).items).toEqual([]);
  });
});
