import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import RudderAnalytics from '@rudderstack/rudder-sdk-node';
import { Analytics, type HTTPClient, type HTTPClientRequest, type HTTPResponse } from '@segment/analytics-node';
import { expectError, expectJson, GENEROUS_LIMITS_ENV, HttpClient, type AuthAnswer } from '../support/auth-http.js';
import { basic, gzipJson, ingestLog, issueKey, postRaw, quarantined, received, warehouseFacts, type IngestAnswer } from '../support/analytics-ingest.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const CHROME_ON_WINDOWS = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';

let app: TestApp;
let http: HttpClient;
let admin: AuthAnswer;

const LIMITS = {
  ANALYTICS_MAX_REQUEST_BYTES: '16384',
  ANALYTICS_MAX_EVENT_BYTES: '4096',
  ANALYTICS_QUARANTINE_RAW_BYTES: '1024',
  ANALYTICS_RATE_LIMIT_EVENTS_PER_KEY: '60',
};

beforeAll(async () => {
  // `start`: the warehouse projection runs, so the clients' events are looked for where the queries read them.
  app = await startTestApp({ role: 'start', env: { ...GENEROUS_LIMITS_ENV, ...LIMITS } });
  http = new HttpClient(app.url);
  admin = await http.signup();
});
afterAll(async () => app?.stop());

/** The real client, pointed at the test server; `httpClient` lets a test lose an answer on the way back. */
function segmentClient(writeKey: string, httpClient?: HTTPClient): Analytics {
  return new Analytics({ writeKey, host: app.url, flushAt: 50, flushInterval: 50, maxRetries: 3, ...(httpClient ? { httpClient } : {}) });
}

async function batch(writeKey: string, body: Record<string, unknown>): Promise<IngestAnswer> {
  return expectJson<IngestAnswer>(await http.post('/v1/batch', body, { headers: basic(writeKey) }), 200);
}

describe('Segment-compatible ingest with @segment/analytics-node', () => {
  it("appends every call type the client sends, with the key's tenant, the corrected time and the merged context", async () => {
    const { id: keyId, key } = await issueKey(http, admin.accessToken);
    const client = segmentClient(key);
    const timestamp = new Date(Date.now() - 60_000);
    client.track({ userId: 'u-1', event: 'Order Completed', properties: { total: 42.5, items: ['a', 'b'] }, timestamp, context: { ip: '203.0.113.77', userAgent: CHROME_ON_WINDOWS } });
    client.identify({ userId: 'u-1', traits: { plan: 'pro' } });
    client.page({ anonymousId: 'anon-1', name: 'Pricing', properties: { path: '/pricing' } });
    client.screen({ userId: 'u-1', name: 'Home' });
    client.group({ userId: 'u-1', groupId: 'g-1', traits: { seats: 5 } });
    client.alias({ userId: 'u-1', previousId: 'anon-1' });
    await client.closeAndFlush({ timeout: 10_000 });

    const events = received(await ingestLog(app.services.eventStore, admin.user.tenantId));
    expect(events.map((event) => event.type).sort()).toEqual(['alias', 'group', 'identify', 'page', 'screen', 'track']);
    const track = events.find((event) => event.type === 'track')!;
    expect(track).toMatchObject({ tenantId: admin.user.tenantId, keyId, event: 'Order Completed', userId: 'u-1', properties: { total: 42.5, items: ['a', 'b'] }, source: 'segment' });
    expect(track.timestamp).toBe(timestamp.toISOString());
    expect(track.sentAt).toEqual(expect.any(String));
    // The client's clock and ours are one clock here: the correction moves the event by at most the request's transit time.
    expect(Math.abs(Date.parse(track.correctedTimestamp) - timestamp.getTime())).toBeLessThan(5_000);
    // The library's context arrives, and a full address never reaches the log.
    expect(track.context).toMatchObject({ library: { name: '@segment/analytics-node' } });
    expect(JSON.stringify(track)).not.toContain('203.0.113.77');
    expect(track.context!['ip']).toBe('203.0.113.0');
    expect(track.enrichment).toEqual({ browser: 'Chrome', os: 'Windows', device: 'desktop', ipTruncated: '203.0.113.0', country: null });
    expect(events.find((event) => event.type === 'page')).toMatchObject({ anonymousId: 'anon-1', event: null, properties: { path: '/pricing', name: 'Pricing' } });
    expect(events.find((event) => event.type === 'identify')).toMatchObject({ traits: { plan: 'pro' } });
    expect(events.find((event) => event.type === 'group')).toMatchObject({ groupId: 'g-1', traits: { seats: 5 } });
    expect(events.find((event) => event.type === 'alias')).toMatchObject({ previousId: 'anon-1' });

    const facts = await warehouseFacts(app.services.knex, admin.user.tenantId, (rows) => events.every((event) => rows.some((row) => row.message_id === event.messageId)));
    const trackFact = facts.find((row) => row.message_id === track.messageId)!;
    expect(trackFact).toMatchObject({ type: 'track', event: 'Order Completed', user_id: 'u-1', key_id: keyId, browser: 'Chrome' });
    expect(facts.find((row) => row.type === 'page')).toMatchObject({ event: '$page' });
  });

  it('counts a retried batch once: the answer was lost, the client sent the same messageIds again with a new sentAt', async () => {
    const { key } = await issueKey(http, admin.accessToken);
    const bodies: Array<{ sentAt: string; batch: Array<{ messageId: string }> }> = [];
    let lost = 0;
    const losingFirstAnswer: HTTPClient = {
      async makeRequest(request: HTTPClientRequest): Promise<HTTPResponse> {
        bodies.push(JSON.parse(request.body) as (typeof bodies)[number]);
        const response = await fetch(request.url, { method: request.method, headers: request.headers, body: request.body });
        await response.text();
        if (lost++ === 0) throw new Error('connection reset after the server answered');
        return response;
      },
    };
    const client = segmentClient(key, losingFirstAnswer);
    const tenantBefore = received(await ingestLog(app.services.eventStore, admin.user.tenantId)).length;
    for (let i = 0; i < 3; i++) client.track({ userId: 'u-retry', event: 'Retried', properties: { i } });
    await client.closeAndFlush({ timeout: 15_000 });

    expect(bodies).toHaveLength(2);
    expect(bodies[1]!.batch.map((event) => event.messageId)).toEqual(bodies[0]!.batch.map((event) => event.messageId));
    expect(bodies[1]!.sentAt).not.toBe(bodies[0]!.sentAt);
    const events = received(await ingestLog(app.services.eventStore, admin.user.tenantId));
    expect(events.length - tenantBefore).toBe(3);
    expect(events.filter((event) => event.event === 'Retried').map((event) => event.properties['i']).sort()).toEqual([0, 1, 2]);
    const ids = new Set(bodies[0]!.batch.map((event) => event.messageId));
    const facts = await warehouseFacts(app.services.knex, admin.user.tenantId, (rows) => rows.filter((row) => ids.has(row.message_id)).length >= 3);
    expect(facts.filter((row) => row.event === 'Retried')).toHaveLength(3);
  });
});

describe('Segment-compatible ingest with @rudderstack/rudder-sdk-node', () => {
  it('appends what the client sends with its defaults (gzip body, the write key as the Basic user)', async () => {
    const { id: keyId, key } = await issueKey(http, admin.accessToken);
    const client = new RudderAnalytics(key, { dataPlaneUrl: app.url, flushAt: 100, flushInterval: 60_000, logLevel: 'error' });
    client.track({ userId: 'r-1', event: 'Rudder Tracked', properties: { plan: 'team' }, context: { locale: 'nl-NL' } });
    client.identify({ userId: 'r-1', traits: { email: 'r@example.com' } });
    client.page({ anonymousId: 'r-anon', name: 'Docs', properties: { path: '/docs' } });
    await client.flush();

    const events = received(await ingestLog(app.services.eventStore, admin.user.tenantId)).filter((event) => event.userId === 'r-1' || event.anonymousId === 'r-anon');
    expect(events.map((event) => event.type).sort()).toEqual(['identify', 'page', 'track']);
    expect(events.find((event) => event.type === 'track')).toMatchObject({ keyId, event: 'Rudder Tracked', properties: { plan: 'team' }, context: { locale: 'nl-NL' }, sentAt: expect.any(String) });
    expect(events.find((event) => event.type === 'identify')).toMatchObject({ traits: { email: 'r@example.com' } });
    const facts = await warehouseFacts(app.services.knex, admin.user.tenantId, (rows) => events.every((event) => rows.some((row) => row.message_id === event.messageId)));
    expect(facts.filter((row) => row.user_id === 'r-1').map((row) => row.event).sort()).toEqual(['$identify', 'Rudder Tracked']);
  });
});

describe('Segment-compatible ingest over HTTP', () => {
  it('reports an event sent again in a later batch as a duplicate, and appends it once', async () => {
    const { key } = await issueKey(http, admin.accessToken);
    const first = await batch(key, { batch: [{ type: 'track', messageId: 'dup-1', userId: 'u', event: 'E' }, { type: 'track', messageId: 'dup-2', userId: 'u', event: 'E' }] });
    expect(first).toMatchObject({ success: true, accepted: 2, duplicates: 0, rejected: [] });
    expect(first.position).toMatch(/^\d+$/);
    // Later, another batch: one old messageId, one new, and a repeat within the batch.
    const later = await batch(key, {
      batch: [
        { type: 'track', messageId: 'dup-2', userId: 'u', event: 'E' },
        { type: 'track', messageId: 'dup-3', userId: 'u', event: 'E' },
        { type: 'track', messageId: 'dup-3', userId: 'u', event: 'E' },
      ],
    });
    expect(later).toMatchObject({ accepted: 1, duplicates: 2, rejected: [] });
    const ids = received(await ingestLog(app.services.eventStore, admin.user.tenantId)).map((event) => event.messageId).filter((id) => id.startsWith('dup-'));
    expect(ids.sort()).toEqual(['dup-1', 'dup-2', 'dup-3']);
  });

  it('quarantines invalid events with their reasons and raw payload, and appends the valid ones of the same batch', async () => {
    const { key } = await issueKey(http, admin.accessToken);
    const answer = await batch(key, {
      batch: [
        { type: 'track', messageId: 'q-ok', userId: 'u', event: 'Fine' },
        { type: 'track', messageId: 'q-no-name', userId: 'u' },
        { type: 'track', messageId: 'q-no-user', event: 'Nobody' },
        { type: 'teleport', messageId: 'q-type', userId: 'u' },
        { type: 'track', messageId: 'q-time', userId: 'u', event: 'E', timestamp: 'yesterday' },
        'not an event',
      ],
    });
    expect(answer.accepted).toBe(1);
    expect(answer.rejected.map((rejection) => rejection.index)).toEqual([1, 2, 3, 4, 5]);
    expect(answer.rejected[0]!.errors).toEqual([expect.objectContaining({ path: 'event' })]);
    expect(answer.rejected[1]!.errors).toEqual([expect.objectContaining({ path: 'userId' })]);
    expect(answer.rejected[2]!.errors).toEqual([expect.objectContaining({ path: 'type' })]);
    expect(answer.rejected[3]!.errors).toEqual([expect.objectContaining({ path: 'timestamp' })]);

    const log = await ingestLog(app.services.eventStore, admin.user.tenantId);
    const kept = quarantined(log).filter((event) => event.raw.includes('q-') || event.raw === '"not an event"');
    expect(kept).toHaveLength(5);
    const noName = kept.find((event) => event.raw.includes('q-no-name'))!;
    expect(JSON.parse(noName.raw)).toEqual({ type: 'track', messageId: 'q-no-name', userId: 'u' });
    expect(noName).toMatchObject({ truncated: false, source: 'segment', reasons: [expect.objectContaining({ path: 'event' })] });
    // Accepted and quarantined events of one request share its stream.
    const ok = log.find((event) => event.type === 'AnalyticsEventReceived' && event.data.messageId === 'q-ok')!;
    expect(log.find((event) => event.type === 'AnalyticsEventRejected' && event.data.quarantineId === noName.quarantineId)!.stream).toBe(ok.stream);
  });

  it('quarantines an event the log cannot keep (U+0000, an unpaired surrogate); refuses a batch context it cannot keep (422), appending nothing', async () => {
    const { key } = await issueKey(http, admin.accessToken);
    const answer = await batch(key, {
      batch: [
        { type: 'track', messageId: 'nul-ok', userId: 'u', event: 'E' },
        { type: 'track', messageId: 'nul-1', userId: 'u', event: 'E', properties: { text: 'a\u0000b' } },
        { type: 'track', messageId: 'nul-2', userId: 'u', event: 'E', properties: { text: '\ud800' } },
      ],
    });
    expect(answer).toMatchObject({ accepted: 1, rejected: [{ index: 1 }, { index: 2 }] });
    const before = (await ingestLog(app.services.eventStore, admin.user.tenantId)).length;
    await expectError(await http.post('/v1/batch', { context: { bad: 'a\u0000' }, batch: [{ type: 'track', userId: 'u', event: 'E' }] }, { headers: basic(key) }), 422, 'validation_failed');
    expect(await ingestLog(app.services.eventStore, admin.user.tenantId)).toHaveLength(before);
  });

  it('takes the write key from the body, applies top-level sentAt and context, and reads gzip JSON whatever the Content-Type', async () => {
    const { key } = await issueKey(http, admin.accessToken);
    // One reading of the clock for both: two readings drift apart by the milliseconds between them under load.
    const clientNow = Date.now() + 3_600_000; // the client's clock is an hour fast
    const sentAt = new Date(clientNow).toISOString();
    const timestamp = new Date(clientNow - 10_000).toISOString();
    const body = {
      writeKey: key,
      sentAt,
      context: { app: { name: 'shop' }, locale: 'fr-FR' },
      batch: [{ type: 'track', messageId: 'gz-1', userId: 'u', event: 'Zipped', timestamp, context: { locale: 'de-DE' } }],
    };
    const answer = await expectJson<IngestAnswer>(
      await postRaw(`${app.url}/v1/batch`, gzipJson(body), { 'content-type': 'application/x-www-form-urlencoded', 'content-encoding': 'gzip' }),
      200,
    );
    expect(answer).toMatchObject({ accepted: 1, rejected: [] });
    const event = received(await ingestLog(app.services.eventStore, admin.user.tenantId)).find((candidate) => candidate.messageId === 'gz-1')!;
    expect(event).toMatchObject({ sentAt, timestamp, context: { app: { name: 'shop' }, locale: 'de-DE' } });
    // Ten seconds before it was sent, by our clock: the hour of skew is gone.
    const lag = Date.parse(event.receivedAt) - Date.parse(event.correctedTimestamp);
    expect(lag).toBeGreaterThanOrEqual(10_000);
    expect(lag).toBeLessThan(15_000);
    expect(JSON.stringify(await ingestLog(app.services.eventStore, admin.user.tenantId))).not.toContain(key);
  });

  it('answers a single call at /v1/track, /v1/identify ...: the path decides the type', async () => {
    const { key } = await issueKey(http, admin.accessToken);
    const answer = await expectJson<IngestAnswer>(await http.post('/v1/identify', { messageId: 'one-1', userId: 'u-9', traits: { name: 'Ann' }, writeKey: key }, {}), 200);
    expect(answer).toMatchObject({ success: true, accepted: 1 });
    const event = received(await ingestLog(app.services.eventStore, admin.user.tenantId)).find((candidate) => candidate.messageId === 'one-1')!;
    expect(event).toMatchObject({ type: 'identify', userId: 'u-9', traits: { name: 'Ann' } });
  });

  it('needs the ingest scope: a read-only key is refused (403), an ingest-only key sends to /v1/* and /api/events', async () => {
    const readOnly = await issueKey(http, admin.accessToken, { scopes: ['read'] });
    await expectError(await http.post('/v1/batch', { batch: [{ type: 'track', userId: 'u', event: 'E' }] }, { headers: basic(readOnly.key) }), 403, 'insufficient_scope');
    await expectError(await http.post('/api/events', { event_id: 'sc-0', event_type: 'x' }, { headers: { 'x-api-key': readOnly.key } }), 403, 'insufficient_scope');
    const writeKey = await issueKey(http, admin.accessToken, { scopes: ['ingest'] });
    expect(await batch(writeKey.key, { batch: [{ type: 'track', messageId: 'sc-1', userId: 'u', event: 'E' }] })).toMatchObject({ accepted: 1 });
    expect(await expectJson<IngestAnswer>(await http.post('/api/events', { event_id: 'sc-2', event_type: 'x' }, { headers: { 'x-api-key': writeKey.key } }), 202)).toMatchObject({ accepted: 1 });
    const ids = received(await ingestLog(app.services.eventStore, admin.user.tenantId)).map((event) => event.messageId);
    expect(ids.filter((id) => id.startsWith('sc-')).sort()).toEqual(['sc-1', 'sc-2']);
  });

  it('refuses a request without a valid write key (401), and never appends', async () => {
    const response = await http.post('/v1/batch', { batch: [{ type: 'track', userId: 'u', event: 'E' }] });
    await expectError(response, 401, 'unauthenticated');
    expect(response.headers.get('www-authenticate')).toMatch(/^Basic/);
    await expectError(await http.post('/v1/batch', { batch: [] }, { headers: basic('chk_not_a_key') }), 401, 'invalid_api_key');
  });

  it('answers 413 for a request over ANALYTICS_MAX_REQUEST_BYTES (gzip undone) and for a lone event over ANALYTICS_MAX_EVENT_BYTES; quarantines a large event in a batch', async () => {
    const { key } = await issueKey(http, admin.accessToken);
    const big = 'x'.repeat(5000);
    const manyEvents = { batch: Array.from({ length: 10 }, (_, i) => ({ type: 'track', userId: 'u', event: 'E', messageId: `big-${i}`, properties: { big } })) };
    // Small on the wire, large once inflated.
    const zipped = gzipJson(manyEvents);
    expect(zipped.length).toBeLessThan(16384);
    const tooLarge = await expectError(await postRaw(`${app.url}/v1/batch`, zipped, { ...basic(key), 'content-type': 'application/json', 'content-encoding': 'gzip' }), 413, 'request_too_large');
    expect(tooLarge.message).toContain('ANALYTICS_MAX_REQUEST_BYTES');
    await expectError(await http.post('/v1/track', { userId: 'u', event: 'E', properties: { big } }, { headers: basic(key) }), 413, 'event_too_large');

    const answer = await batch(key, { batch: [{ type: 'track', userId: 'u', event: 'E', messageId: 'big-ok' }, { type: 'track', userId: 'u', event: 'E', messageId: 'big-1', properties: { big } }] });
    expect(answer).toMatchObject({ accepted: 1, rejected: [{ index: 1, errors: [expect.objectContaining({ message: expect.stringContaining('too_large') })] }] });
    const kept = quarantined(await ingestLog(app.services.eventStore, admin.user.tenantId)).find((event) => event.raw.includes('big-1'))!;
    expect(kept.truncated).toBe(true);
    expect(Buffer.byteLength(kept.raw)).toBeLessThanOrEqual(1024);
    const ids = received(await ingestLog(app.services.eventStore, admin.user.tenantId)).map((event) => event.messageId);
    expect(ids.filter((id) => id.startsWith('big-'))).toEqual(['big-ok']);
  });

  it("answers 429 with Retry-After once a key has sent ANALYTICS_RATE_LIMIT_EVENTS_PER_KEY events in its window; another key is not held back", async () => {
    const { key } = await issueKey(http, admin.accessToken);
    const events = (prefix: string, count: number) => Array.from({ length: count }, (_, i) => ({ type: 'track', userId: 'u', event: 'Busy', messageId: `${prefix}-${i}` }));
    await batch(key, { batch: events('rl-a', 40) });
    const refused = await http.post('/v1/batch', { batch: events('rl-b', 40) }, { headers: basic(key) });
    const error = await expectError(refused, 429, 'too_many_requests');
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(JSON.stringify(error.details)).toContain('ANALYTICS_RATE_LIMIT_EVENTS_PER_KEY');
    const other = await issueKey(http, admin.accessToken);
    expect(await batch(other.key, { batch: events('rl-c', 40) })).toMatchObject({ accepted: 40 });
    const ids = received(await ingestLog(app.services.eventStore, admin.user.tenantId)).map((event) => event.messageId);
    expect(ids.filter((id) => id.startsWith('rl-b'))).toEqual([]);
  });
});
