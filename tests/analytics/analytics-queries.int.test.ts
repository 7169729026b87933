import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { expectError, expectJson, GENEROUS_LIMITS_ENV, HttpClient, type AuthAnswer } from '../support/auth-http.js';
import { uniqueEmail } from '../support/identity-harness.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { appendGiven } from '../support/given-events.js';
import { received } from '../support/warehouse-events.js';

interface Counts {
  timeZone: string;
  buckets: Array<{ start: string; count: number }>;
}
interface TopEvents {
  items: Array<{ event: string; count: number }>;
}
interface ActiveUsers {
  items: Array<{ period: string; start: string; activeUsers: number }>;
}

let app: TestApp;
let http: HttpClient;
let admin: AuthAnswer;
let otherAdmin: AuthAnswer;
let member: AuthAnswer;
let readKey: string;
let ingestKey: string;
let minPosition: string;

beforeAll(async () => {
  // `start`: the warehouse is built by its projection from the log, as in production.
  app = await startTestApp({ role: 'start', env: GENEROUS_LIMITS_ENV });
  http = new HttpClient(app.url);
  admin = await http.signup();
  otherAdmin = await http.signup();
  const email = uniqueEmail('member');
  const invitation = await expectJson<{ token: string }>(await http.post('/api/invitations', { email }, { bearer: admin.accessToken }), 201);
  member = await http.signup({ email, invitationToken: invitation.token });
  readKey = (await expectJson<{ key: string }>(await http.post('/api/api-keys', { name: 'reader', scopes: ['read'] }, { bearer: admin.accessToken }), 201)).key;
  ingestKey = (await expectJson<{ key: string }>(await http.post('/api/api-keys', { name: 'write key', scopes: ['ingest'] }, { bearer: admin.accessToken }), 201)).key;
  const tenant = admin.user.tenantId;
  let n = 0;
  const track = (event: string, at: string, userId: string | null = 'user-1', anonymousId: string | null = null) =>
    received(tenant, `m-${++n}`, { event, at, userId, anonymousId, ...(event.startsWith('$') ? { type: 'page' as const, event: null } : {}) });
  const last = await appendGiven(app.services.eventStore, [
    track('signup', '2026-11-30T10:00:10Z', 'u1'),
    track('signup', '2026-11-30T10:00:50Z', 'u2'),
    track('signup', '2026-11-30T10:02:00Z', 'u3'),
    track('signup', '2026-11-30T10:45:00Z', 'u1'),
    track('click', '2026-11-30T10:01:00Z', 'u2'),
    // Paris: 1 December 00:30; Kolkata: 1 December 05:00.
    track('$page', '2026-11-30T23:30:00Z', null, 'anon-9'),
    // New York: 1 November 00:30 EDT, 1 November 23:30 EST (the 25-hour day), 2 November 00:30 EST.
    track('dst', '2026-11-01T04:30:00Z'),
    track('dst', '2026-11-02T04:30:00Z'),
    track('dst', '2026-11-02T05:30:00Z'),
    received(otherAdmin.user.tenantId, 'other-1', { event: 'other', at: '2026-11-30T10:00:00Z', userId: 'x' }),
  ]);
  // Through the real warehouse projection: every query below waits until it holds them all.
  minPosition = String(last);
});
afterAll(async () => app?.stop());

function get<T>(path: string, bearer = admin.accessToken): Promise<T> {
  return http.get(path, { bearer, headers: { 'x-min-position': minPosition } }).then((response) => expectJson<T>(response, 200));
}

const counts = (buckets: Counts['buckets']) => buckets.map(({ start, count }) => [start, count]);

describe('GET /api/analytics/counts', () => {
  it('counts one event per minute, empty minutes included, and every event when none is named', async () => {
    const range = 'from=2026-11-30T10:00:00Z&to=2026-11-30T10:05:00Z&interval=minute';
    const signups = await get<Counts>(`/api/analytics/counts?event=signup&${range}`);
    expect(counts(signups.buckets)).toEqual([
      ['2026-11-30T10:00:00.000Z', 2], ['2026-11-30T10:01:00.000Z', 0], ['2026-11-30T10:02:00.000Z', 1], ['2026-11-30T10:03:00.000Z', 0], ['2026-11-30T10:04:00.000Z', 0],
    ]);
    const all = await get<Counts>(`/api/analytics/counts?${range}`);
    expect(all.buckets.map(({ count }) => count)).toEqual([2, 1, 1, 0, 0]);
  });

  it('cuts hours at the half hour in Asia/Kolkata (+05:30), summing minutes rather than UTC hours', async () => {
    const answer = await get<Counts>('/api/analytics/counts?event=signup&from=2026-11-30T00:00:00Z&to=2026-12-01T00:00:00Z&interval=hour&tz=asia/kolkata');
    expect(answer.timeZone).toBe('Asia/Calcutta');
    expect(answer.buckets).toHaveLength(25);
    expect(answer.buckets[0]!.start).toBe('2026-11-29T23:30:00.000Z');
    const nonZero = answer.buckets.filter(({ count }) => count > 0);
    // The UTC hour 10:00 holds all four signups; the local hours 15:00 and 16:00 split them 3 and 1.
    expect(counts(nonZero)).toEqual([['2026-11-30T09:30:00.000Z', 3], ['2026-11-30T10:30:00.000Z', 1]]);
  });

  it('cuts days at local midnight: Europe/Paris, and New York across the end of daylight saving time', async () => {
    const paris = await get<Counts>('/api/analytics/counts?from=2026-11-29T23:00:00Z&to=2026-11-30T23:00:00Z&interval=day&tz=Europe/Paris');
    expect(counts(paris.buckets)).toEqual([['2026-11-29T23:00:00.000Z', 5]]);
    const parisNext = await get<Counts>('/api/analytics/counts?event=$page&from=2026-11-29T23:00:00Z&to=2026-12-01T23:00:00Z&interval=day&tz=Europe/Paris');
    expect(counts(parisNext.buckets)).toEqual([['2026-11-29T23:00:00.000Z', 0], ['2026-11-30T23:00:00.000Z', 1]]);
    const newYork = await get<Counts>('/api/analytics/counts?event=dst&from=2026-10-31T04:00:00Z&to=2026-11-03T05:00:00Z&interval=day&tz=America/New_York');
    expect(counts(newYork.buckets)).toEqual([['2026-10-31T04:00:00.000Z', 0], ['2026-11-01T04:00:00.000Z', 2], ['2026-11-02T05:00:00.000Z', 1]]);
  });

  it('reads UTC days from the day rollup', async () => {
    const answer = await get<Counts>('/api/analytics/counts?event=signup&from=2026-11-29T00:00:00Z&to=2026-12-01T00:00:00Z&interval=day');
    expect(counts(answer.buckets)).toEqual([['2026-11-29T00:00:00.000Z', 0], ['2026-11-30T00:00:00.000Z', 4]]);
  });

  it('refuses an empty or reversed range, one too long for its interval, and a malformed time', async () => {
    await expectError(await http.get('/api/analytics/counts?from=2026-11-30T10:00:00Z&to=2026-11-30T10:00:00Z', { bearer: admin.accessToken }), 400, 'invalid_range');
    await expectError(await http.get('/api/analytics/counts?from=2026-11-30T10:00:00Z&to=2026-11-29T10:00:00Z', { bearer: admin.accessToken }), 400, 'invalid_range');
    const tooLong = await expectError(
      await http.get('/api/analytics/counts?interval=minute&from=2026-11-29T10:00:00Z&to=2026-11-30T10:01:00Z', { bearer: admin.accessToken }),
      400,
      'range_too_long',
    );
    expect(tooLong.details).toEqual([{ interval: 'minute', maxSpan: '24 hours', variable: 'ANALYTICS_MAX_SPAN_MINUTE_HOURS' }]);
    await expectError(await http.get('/api/analytics/counts?interval=day&from=2025-01-01T00:00:00Z&to=2026-11-30T00:00:00Z', { bearer: admin.accessToken }), 400, 'range_too_long');
    await expectError(await http.get('/api/analytics/counts?interval=day&from=0000-01-01T00:00:00Z&to=0000-01-02T00:00:00Z', { bearer: admin.accessToken }), 400, 'invalid_range');
    await expectError(await http.get('/api/analytics/counts?from=yesterday', { bearer: admin.accessToken }), 400, 'invalid_query');
    await expectError(await http.get('/api/analytics/counts?interval=week', { bearer: admin.accessToken }), 400, 'invalid_query');
  });

  it('refuses what is not an IANA time zone name', async () => {
    for (const tz of ['Mars/Olympus', '%2B05:30', 'UTC%2B5', 'Europe/Paris;DROP', '']) {
      await expectError(await http.get(`/api/analytics/counts?tz=${tz}`, { bearer: admin.accessToken }), 400, 'invalid_time_zone');
    }
  });
});

describe('GET /api/analytics/top-events', () => {
  it('ranks events by count, then by name, within the range and the limit', async () => {
    const day = await get<TopEvents>('/api/analytics/top-events?from=2026-11-30T00:00:00Z&to=2026-12-01T00:00:00Z');
    expect(day.items).toEqual([{ event: 'signup', count: 4 }, { event: '$page', count: 1 }, { event: 'click', count: 1 }]);
    // Half an hour: summed from minutes, so 10:45 stays out.
    const halfHour = await get<TopEvents>('/api/analytics/top-events?from=2026-11-30T10:00:00Z&to=2026-11-30T10:30:00Z&limit=1');
    expect(halfHour.items).toEqual([{ event: 'signup', count: 3 }]);
  });

  it('without a range, counts what came in during the minute in progress (the default end is that minute\'s end)', async () => {
    const newcomer = await http.signup();
    const now = new Date();
    const position = await appendGiven(app.services.eventStore, [received(newcomer.user.tenantId, 'just-now', { event: 'just now', at: now.toISOString(), userId: 'x' })]);
    const answer = await http
      .get('/api/analytics/top-events', { bearer: newcomer.accessToken, headers: { 'x-min-position': String(position) } })
      .then((response) => expectJson<TopEvents & { to: string }>(response, 200));
    expect(answer.items).toEqual([{ event: 'just now', count: 1 }]);
    expect(Date.parse(answer.to)).toBeGreaterThan(now.getTime());
  });

  it('refuses a reversed range and a bad limit', async () => {
    await expectError(await http.get('/api/analytics/top-events?from=2026-12-01T00:00:00Z&to=2026-11-30T00:00:00Z', { bearer: admin.accessToken }), 400, 'invalid_range');
    await expectError(await http.get('/api/analytics/top-events?limit=101', { bearer: admin.accessToken }), 400, 'invalid_query');
  });
});

describe('GET /api/analytics/active-users', () => {
  it('counts distinct users per UTC day from the rollup, anonymous ids included', async () => {
    const answer = await get<ActiveUsers>('/api/analytics/active-users?from=2026-11-30T00:00:00Z&to=2026-12-01T00:00:00Z');
    expect(answer.items).toEqual([{ period: '2026-11-30', start: '2026-11-30T00:00:00.000Z', activeUsers: 4 }]);
  });

  it('counts local days in a time zone, and months', async () => {
    const paris = await get<ActiveUsers>('/api/analytics/active-users?interval=day&from=2026-11-29T23:00:00Z&to=2026-12-01T23:00:00Z&tz=Europe/Paris');
    expect(paris.items).toEqual([
      { period: '2026-11-30', start: '2026-11-29T23:00:00.000Z', activeUsers: 3 },
      { period: '2026-12-01', start: '2026-11-30T23:00:00.000Z', activeUsers: 1 },
    ]);
    const months = await get<ActiveUsers>('/api/analytics/active-users?interval=month&from=2026-10-01T00:00:00Z&to=2026-12-01T00:00:00Z');
    expect(months.items.map(({ period, activeUsers }) => [period, activeUsers])).toEqual([['2026-10-01', 0], ['2026-11-01', 5]]);
  });

  it('refuses a bad zone and a range too long', async () => {
    await expectError(await http.get('/api/analytics/active-users?tz=Nowhere/Town', { bearer: admin.accessToken }), 400, 'invalid_time_zone');
    await expectError(await http.get('/api/analytics/active-users?interval=month&from=2020-01-01T00:00:00Z&to=2026-01-01T00:00:00Z', { bearer: admin.accessToken }), 400, 'range_too_long');
  });
});

describe('who may read analytics', () => {
  const day = 'from=2026-11-30T00:00:00Z&to=2026-12-01T00:00:00Z';

  it("shows a tenant only its own: another tenant's admin sees none of these events", async () => {
    expect((await get<TopEvents>(`/api/analytics/top-events?${day}`, otherAdmin.accessToken)).items).toEqual([{ event: 'other', count: 1 }]);
    expect((await get<Counts>(`/api/analytics/counts?event=signup&interval=day&${day}`, otherAdmin.accessToken)).buckets.map(({ count }) => count)).toEqual([0]);
    expect((await get<ActiveUsers>(`/api/analytics/active-users?${day}`, otherAdmin.accessToken)).items[0]!.activeUsers).toBe(1);
    expect((await get<TopEvents>(`/api/analytics/top-events?${day}`)).items.map(({ event }) => event)).not.toContain('other');
  });

  it('lets an API key with the read scope read, and refuses an ingest-only key, members and guests', async () => {
    expect((await get<TopEvents>(`/api/analytics/top-events?${day}`, readKey)).items[0]).toEqual({ event: 'signup', count: 4 });
    for (const path of ['counts', 'top-events', 'active-users']) {
      await expectError(await http.get(`/api/analytics/${path}?${day}`, { bearer: ingestKey }), 403, 'insufficient_scope');
      await expectError(await http.get(`/api/analytics/${path}?${day}`, { bearer: member.accessToken }), 403, 'admin_required');
      await expectError(await http.get(`/api/analytics/${path}?${day}`), 401, 'unauthenticated');
    }
  });
});
