import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expectError, expectJson, GENEROUS_LIMITS_ENV, HttpClient, type AuthAnswer } from '../support/auth-http.js';
import { gzipJson, ingestLog, issueKey, postRaw, quarantined, received, type IngestAnswer } from '../support/analytics-ingest.js';
import { writeMmdb } from '../support/mmdb-writer.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

let app: TestApp;
let http: HttpClient;
let admin: AuthAnswer;
let geoDir: string;

beforeAll(async () => {
  // The operator's GeoIP database: one network, in Germany.
  geoDir = await mkdtemp(join(tmpdir(), 'chronicle-ingest-geoip-'));
  const geoIpDb = join(geoDir, 'countries.mmdb');
  await writeFile(geoIpDb, writeMmdb([{ network: '203.0.113.0/24', data: { country: { iso_code: 'DE' } } }]));
  app = await startTestApp({ env: { ...GENEROUS_LIMITS_ENV, ANALYTICS_MAX_EVENT_BYTES: '2048', ANALYTICS_MAX_EVENTS_PER_REQUEST: '20', ANALYTICS_GEOIP_DB: geoIpDb } });
  http = new HttpClient(app.url);
  admin = await http.signup();
});
afterAll(async () => {
  await app?.stop();
  await rm(geoDir, { recursive: true, force: true });
});

const nativeEvent = (id: string, overrides: Record<string, unknown> = {}) => ({
  event_id: id,
  event_type: 'page_view',
  timestamp: '2026-12-01T10:00:00.000Z',
  user_id: 'u-1',
  data: { action: 'view', page: '/home', session_id: 's-1' },
  metadata: { source: 'web', version: '1.2' },
  ...overrides,
});

describe('POST /api/events', () => {
  it("takes one event from a signed-in user's bearer token: 202, in the log as the user's, data as properties", async () => {
    const answer = await expectJson<IngestAnswer>(await http.post('/api/events', nativeEvent('n-1'), { bearer: admin.accessToken }), 202);
    expect(answer).toMatchObject({ accepted: 1, duplicates: 0, rejected: [] });
    const log = await ingestLog(app.services.eventStore, admin.user.tenantId);
    const event = received(log).find((candidate) => candidate.messageId === 'n-1')!;
    expect(event).toMatchObject({
      type: 'native',
      event: 'page_view',
      userId: 'u-1',
      keyId: null,
      source: 'native',
      version: '1.2',
      properties: { action: 'view', page: '/home', session_id: 's-1' },
      context: { source: 'web', version: '1.2' },
      // No sentAt: the timestamp as sent is the best there is.
      timestamp: '2026-12-01T10:00:00.000Z',
      correctedTimestamp: '2026-12-01T10:00:00.000Z',
    });
    expect(log.find((candidate) => candidate.type === 'AnalyticsEventReceived' && candidate.data.messageId === 'n-1')!.metadata).toMatchObject({ actor: { type: 'user', id: admin.user.id }, tenantId: admin.user.tenantId });
  });

  it('takes an array from an API key, counts event_ids sent before as duplicates, quarantines the invalid ones', async () => {
    const { id: keyId, key } = await issueKey(http, admin.accessToken);
    const answer = await expectJson<IngestAnswer>(
      await http.post('/api/events', [nativeEvent('n-1'), nativeEvent('n-2'), nativeEvent('n-3', { event_type: '' }), { event_type: 'no_id' }], { headers: { 'x-api-key': key } }),
      202,
    );
    expect(answer).toMatchObject({ accepted: 1, duplicates: 1 });
    expect(answer.rejected).toEqual([
      { index: 2, errors: [expect.objectContaining({ path: 'event_type' })] },
      { index: 3, errors: [expect.objectContaining({ path: 'event_id' })] },
    ]);
    const log = await ingestLog(app.services.eventStore, admin.user.tenantId);
    expect(received(log).find((event) => event.messageId === 'n-2')).toMatchObject({ keyId });
    expect(received(log).filter((event) => event.messageId === 'n-1')).toHaveLength(1);
    expect(quarantined(log).filter((event) => event.source === 'native')).toHaveLength(2);
  });

  it("enriches from the request: the client's address (through TRUST_PROXY) truncated, its country from ANALYTICS_GEOIP_DB, its user agent parsed", async () => {
    const headers = { 'x-forwarded-for': '203.0.113.77', 'user-agent': 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1' };
    expect(await expectJson<IngestAnswer>(await http.post('/api/events', nativeEvent('n-geo'), { bearer: admin.accessToken, headers }), 202)).toMatchObject({ accepted: 1 });
    const event = received(await ingestLog(app.services.eventStore, admin.user.tenantId)).find((candidate) => candidate.messageId === 'n-geo')!;
    expect(event.enrichment).toEqual({ browser: 'Safari', os: 'iOS', device: 'mobile', ipTruncated: '203.0.113.0', country: 'DE' });
    expect(JSON.stringify(event)).not.toContain('203.0.113.77');
  });

  it('reads gzip JSON of any Content-Type', async () => {
    const { key } = await issueKey(http, admin.accessToken);
    const response = await postRaw(`${app.url}/api/events`, gzipJson([nativeEvent('n-gz')]), { 'x-api-key': key, 'content-type': 'text/plain', 'content-encoding': 'gzip' });
    expect(await expectJson<IngestAnswer>(response, 202)).toMatchObject({ accepted: 1 });
  });

  it('answers 413 for a lone event over ANALYTICS_MAX_EVENT_BYTES and for more than ANALYTICS_MAX_EVENTS_PER_REQUEST events, appending nothing', async () => {
    const before = (await ingestLog(app.services.eventStore, admin.user.tenantId)).length;
    await expectError(await http.post('/api/events', nativeEvent('n-big', { data: { blob: 'x'.repeat(3000) } }), { bearer: admin.accessToken }), 413, 'event_too_large');
    const many = Array.from({ length: 21 }, (_, i) => nativeEvent(`n-many-${i}`));
    await expectError(await http.post('/api/events', many, { bearer: admin.accessToken }), 413, 'too_many_events');
    expect(await ingestLog(app.services.eventStore, admin.user.tenantId)).toHaveLength(before);
  });

  it('refuses without a credential (401) and bad JSON (400)', async () => {
    await expectError(await http.post('/api/events', nativeEvent('n-anon')), 401, 'unauthenticated');
    await expectError(await http.post('/api/events', '{"event_id": ', { bearer: admin.accessToken }), 400, 'malformed_json');
  });
});
