import { describe, expect, it } from '@jest/globals';
import { analyticsEventReceivedSchema, anomalyEventId, ingestStream, receivedEventId } from '../../domain/analytics/index.js';

describe('analytics events', () => {
  it('derives one event id per (tenant, messageId), distinct across tenants and messages', () => {
    expect(receivedEventId('t-1', 'm-1')).toBe(receivedEventId('t-1', 'm-1'));
    expect(receivedEventId('t-1', 'm-1')).not.toBe(receivedEventId('t-2', 'm-1'));
    expect(receivedEventId('t-1', 'm-1')).not.toBe(receivedEventId('t-1', 'm-2'));
    expect(anomalyEventId('t-1', 'signup', '2026-12-01T10:00:00.000Z', 'spike')).not.toBe(anomalyEventId('t-1', 'signup', '2026-12-01T10:00:00.000Z', 'drop'));
  });

  it('names ingest streams in the ingest category', () => {
    expect(ingestStream('0193a1b2-0000-7000-8000-000000000000')).toBe('ingest-0193a1b2-0000-7000-8000-000000000000');
  });

  it('reads a received event with nulls where the client sent nothing', () => {
    const parsed = analyticsEventReceivedSchema.parse({
      type: 'AnalyticsEventReceived',
      data: {
        tenantId: 't-1',
        keyId: null,
        messageId: 'm-1',
        type: 'track',
        event: 'Signed Up',
        userId: 'u-1',
        anonymousId: null,
        properties: { plan: 'pro', seats: 3, nested: { ok: true } },
        traits: null,
        context: null,
        timestamp: null,
        correctedTimestamp: '2026-12-01T10:00:00.000Z',
        receivedAt: '2026-12-01T10:00:00.000Z',
        sentAt: null,
        enrichment: { browser: null, os: null, device: null, ipTruncated: null, country: null },
        source: 'segment',
      },
    });
    expect(parsed.data.properties).toEqual({ plan: 'pro', seats: 3, nested: { ok: true } });
  });
});
