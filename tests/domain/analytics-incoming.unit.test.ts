import { describe, expect, it } from '@jest/globals';
import { checkNativeEvent, checkSegmentEvent } from '../../domain/analytics/incoming.js';
import { correctedTimestamp, mergedContext } from '../../domain/analytics/received.js';

describe('correctedTimestamp', () => {
  const receivedAt = new Date('2026-12-01T12:00:00.000Z');

  it('removes the client clock skew: receivedAt - (sentAt - timestamp)', () => {
    // The client's clock is an hour fast; the event happened 10 s before it was sent.
    expect(correctedTimestamp(receivedAt, '2026-12-01T13:00:00.000Z', '2026-12-01T12:59:50.000Z').toISOString()).toBe('2026-12-01T11:59:50.000Z');
  });

  it('takes the timestamp as sent without a sentAt, and receivedAt without a timestamp', () => {
    expect(correctedTimestamp(receivedAt, null, '2026-11-30T08:00:00+02:00').toISOString()).toBe('2026-11-30T06:00:00.000Z');
    expect(correctedTimestamp(receivedAt, '2026-12-01T13:00:00.000Z', null)).toEqual(receivedAt);
  });
});

describe('mergedContext', () => {
  it("puts the event's own fields over the batch's, shallowly", () => {
    expect(mergedContext({ app: { name: 'a' }, locale: 'fr' }, { locale: 'de', page: { path: '/' } })).toEqual({ app: { name: 'a' }, locale: 'de', page: { path: '/' } });
    expect(mergedContext(null, { a: 1 })).toEqual({ a: 1 });
    expect(mergedContext({ a: 1 }, null)).toEqual({ a: 1 });
  });
});

describe('checkSegmentEvent', () => {
  it('lets the path decide the type, keeps numeric ids as text and passes unknown fields without keeping them', () => {
    const checked = checkSegmentEvent({ type: 'identify', userId: 42, event: 'Signed Up', integrations: { All: true } }, 'track');
    expect(checked).toMatchObject({ ok: true, event: { type: 'track', userId: '42', event: 'Signed Up' } });
    expect(JSON.stringify(checked)).not.toContain('integrations');
  });

  it('keeps properties, traits and context as sent, nested values and all, and refuses any that is not an object', () => {
    const properties = { price: 9.5, tags: ['a', null, { deep: [1, { deeper: true }] }], empty: {}, none: null, text: 'é ✓' };
    const traits = { plan: 'pro', seats: 0 };
    const context = { library: { name: 'x', version: '1' }, list: [[], [null]] };
    const sent = JSON.parse(JSON.stringify({ type: 'track', event: 'Bought', userId: 'u', properties, traits, context })) as unknown;
    expect(checkSegmentEvent(sent)).toMatchObject({ ok: true, event: { properties, traits, context } });
    for (const field of ['properties', 'traits', 'context']) {
      for (const value of [[1, 2], 'text', 3, true]) {
        const checked = checkSegmentEvent({ type: 'track', event: 'Bought', userId: 'u', [field]: value });
        expect({ field, value, checked }).toMatchObject({ field, value, checked: { ok: false, reasons: [{ path: field }] } });
      }
    }
  });

  it('names every problem with its path', () => {
    const checked = checkSegmentEvent({ type: 'group', properties: [], timestamp: 'soon' });
    expect(checked.ok).toBe(false);
    if (checked.ok) return;
    expect(checked.reasons.map((reason) => reason.path).sort()).toEqual(['properties', 'timestamp']);
    // The cross-field rules run once the fields themselves are right.
    expect(checkSegmentEvent({ type: 'group' })).toMatchObject({ ok: false, reasons: expect.arrayContaining([expect.objectContaining({ path: 'userId' }), expect.objectContaining({ path: 'groupId' })]) });
  });
});

describe('checkNativeEvent', () => {
  it('maps the native shape: event_id is the messageId, data the properties, metadata the context', () => {
    expect(checkNativeEvent({ event_id: 'e-1', event_type: 'click', user_id: null, data: { page: '/' }, metadata: { source: 'web', version: 3 } })).toEqual({
      ok: true,
      event: expect.objectContaining({ messageId: 'e-1', type: 'native', event: 'click', userId: null, properties: { page: '/' }, context: { source: 'web', version: '3' }, version: '3' }),
    });
  });
});
