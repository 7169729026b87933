import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ingestEvents, type IngestDeps, type IngestRequest } from '../../commands/analytics/ingest-events.js';
import { MESSAGE_IDS_TABLE, MessageIds } from '../../commands/analytics/message-ids.js';
import { enricherOf } from '../../commands/analytics/enricher.js';
import { systemRuntime } from '../../commands/runtime.js';
import { receivedEventId } from '../../domain/analytics/ids.js';
import { parseUserAgent, truncateIp } from '../../domain/analytics/enrichment.js';
import { INGEST_STREAM_PREFIX } from '../../domain/analytics/streams.js';
import { ingestLog, received } from '../support/analytics-ingest.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

let app: TestApp;
let deps: IngestDeps;

beforeAll(async () => {
  app = await startTestApp();
  deps = { eventStore: app.services.eventStore, knex: app.services.knex, runtime: systemRuntime(), limits: { maxEventBytes: 32_768, maxEventsPerRequest: 100, quarantineRawBytes: 1_024 } };
});
afterAll(async () => app?.stop());

function request(tenantId: string, events: unknown[], extra: Partial<IngestRequest> = {}): IngestRequest {
  return { tenantId, keyId: null, actor: { type: 'system', id: 'test' }, source: 'segment', receivedAt: new Date(), events, ...extra };
}

const track = (messageId: string, extra: Record<string, unknown> = {}) => ({ type: 'track', messageId, userId: 'u', event: 'E', ...extra });

describe('ingestEvents', () => {
  it('on the PostgreSQL log, finds earlier messages by the append alone: no dedup table to read or write, and a message sent again in a later request counts once', async () => {
    const tenantId = randomUUID();
    expect(await ingestEvents(deps, request(tenantId, [track('p-1'), track('p-2')]))).toMatchObject({ accepted: 2, duplicates: 0 });
    await expect(app.services.knex(MESSAGE_IDS_TABLE).where({ tenant_id: tenantId }).count({ n: '*' })).resolves.toEqual([{ n: '0' }]);
    const again = await ingestEvents(deps, request(tenantId, [track('p-2'), track('p-3'), { type: 'track', messageId: 'p-bad', userId: 'u' }, track('p-1')]));
    expect(again).toMatchObject({ accepted: 1, duplicates: 2, rejected: [{ index: 2 }] });
    const log = await ingestLog(app.services.eventStore, tenantId);
    expect(received(log).map((event) => event.messageId).sort()).toEqual(['p-1', 'p-2', 'p-3']);
    expect(log.filter((event) => event.type === 'AnalyticsEventRejected')).toHaveLength(1);
    await expect(ingestEvents(deps, request(tenantId, [track('p-1'), track('p-3')]))).resolves.toMatchObject({ accepted: 0, duplicates: 2, position: null });
  });

  it('with the dedup table (a log that does not refuse an id of another stream), counts a message once when a crash came between its append and the table: the log itself knows its id', async () => {
    const tenantId = randomUUID();
    const withTable = { ...deps, seenMessages: new MessageIds(app.services.knex) };
    expect(await ingestEvents(withTable, request(tenantId, [track('c-1'), track('c-2')]))).toMatchObject({ accepted: 2, duplicates: 0 });
    // As if the process had died after the append, before it wrote the ids down.
    await app.services.knex(MESSAGE_IDS_TABLE).where({ tenant_id: tenantId }).delete();
    const again = await ingestEvents(withTable, request(tenantId, [track('c-1'), track('c-2'), track('c-3')]));
    expect(again).toMatchObject({ accepted: 1, duplicates: 2, rejected: [] });
    expect(received(await ingestLog(app.services.eventStore, tenantId)).map((event) => event.messageId).sort()).toEqual(['c-1', 'c-2', 'c-3']);
    // And they are written down now, so the next duplicate is found before any append.
    const remembered = await app.services.knex(MESSAGE_IDS_TABLE).where({ tenant_id: tenantId }).pluck('message_id');
    expect(remembered.sort()).toEqual(['c-1', 'c-2', 'c-3']);
    await expect(ingestEvents(withTable, request(tenantId, [track('c-2')]))).resolves.toMatchObject({ accepted: 0, duplicates: 1, position: null });
  });

  it("gives each event of a request its own id in its metadata, the request's correlation, and the enrichment of its own address and user agent", async () => {
    const tenantId = randomUUID();
    const enricher = enricherOf({ parseUserAgent, truncateIp, country: () => null, keepFullIp: false });
    const firefox = 'Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0';
    const safari = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1';
    const answer = await ingestEvents(
      { ...deps, enricher },
      request(tenantId, [
        track('e-1', { context: { ip: '203.0.113.7' } }),
        track('e-2', { context: { ip: '198.51.100.9', userAgent: safari } }),
        track('e-3'),
        { type: 'track', messageId: 'e-bad', userId: 'u' },
        track('e-4', { context: { ip: '203.0.113.8' } }),
      ], { ip: '192.0.2.55', userAgent: firefox, origin: { requestId: 'request-1' } }),
    );
    expect(answer).toMatchObject({ accepted: 4, rejected: [{ index: 3 }] });
    const log = (await app.services.eventStore.readAll({ filter: { streamPrefixes: [INGEST_STREAM_PREFIX] } })).filter((event) => event.data['tenantId'] === tenantId);
    expect(log).toHaveLength(5);
    for (const event of log) expect(event.metadata).toMatchObject({ eventId: event.id, correlationId: 'request-1', causationId: 'request-1', requestId: 'request-1', tenantId });
    const accepted = log.filter((event) => event.type === 'AnalyticsEventReceived');
    for (const event of accepted) expect(event.id).toBe(receivedEventId(tenantId, event.data['messageId'] as string));
    const enrichment = Object.fromEntries(accepted.map((event) => [event.data['messageId'], event.data['enrichment']]));
    expect(enrichment).toEqual({
      'e-1': { browser: 'Firefox', os: 'Linux', device: 'desktop', ipTruncated: '203.0.113.0', country: null },
      'e-2': { browser: 'Safari', os: 'iOS', device: 'mobile', ipTruncated: '198.51.100.0', country: null },
      'e-3': { browser: 'Firefox', os: 'Linux', device: 'desktop', ipTruncated: '192.0.2.0', country: null },
      'e-4': { browser: 'Firefox', os: 'Linux', device: 'desktop', ipTruncated: '203.0.113.0', country: null },
    });
  });

  it('records a fixed quarantined event once as retried; a retry refused again is not quarantined twice', async () => {
    const tenantId = randomUUID();
    const first = await ingestEvents(deps, request(tenantId, [{ type: 'track', messageId: 'r-1', userId: 'u' }]));
    expect(first.rejected).toHaveLength(1);
    const log = await ingestLog(app.services.eventStore, tenantId);
    const quarantineId = log.find((event) => event.type === 'AnalyticsEventRejected')!.data.quarantineId;

    const stillBad = await ingestEvents(deps, request(tenantId, [{ type: 'track', messageId: 'r-1', userId: 'u' }], { retryOf: quarantineId }));
    expect(stillBad).toMatchObject({ accepted: 0, position: null, rejected: [{ index: 0 }] });
    const fixed = await ingestEvents(deps, request(tenantId, [track('r-1')], { retryOf: quarantineId }));
    expect(fixed).toMatchObject({ accepted: 1, duplicates: 0 });
    const twice = await ingestEvents(deps, request(tenantId, [track('r-1')], { retryOf: quarantineId }));
    expect(twice).toMatchObject({ accepted: 0, duplicates: 1, position: null });

    const after = await ingestLog(app.services.eventStore, tenantId);
    expect(after.map((event) => event.type)).toEqual(['AnalyticsEventRejected', 'AnalyticsEventReceived', 'AnalyticsQuarantineRetried']);
    expect(after[2]!.data).toEqual({ tenantId, quarantineId, messageId: 'r-1' });
  });
});
