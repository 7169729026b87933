import { describe, expect, it } from '@jest/globals';
import { EventTooLargeError, InvalidAppendError } from '../../infra/event-store/errors.js';
import type { JsonObject, NewEvent } from '../../infra/event-store/event-store.js';
import { jsonDeeperThan } from '../../infra/event-store/json-depth.js';
import { MAX_JSON_DEPTH, serializePayloads } from '../../infra/event-store/serialize-payloads.js';

function event(data: JsonObject, metadata: JsonObject = {}): NewEvent {
  return { id: '00000000-0000-4000-8000-000000000000', type: 'Thing', data, metadata };
}

/** Data and metadata of exactly `bytes` UTF-8 bytes, in characters of `width` bytes each (plus padding). */
function eventOfBytes(bytes: number, character: string): NewEvent {
  const width = Buffer.byteLength(character);
  const room = bytes - '{"text":""}{}'.length;
  return event({ text: character.repeat(Math.floor(room / width)) + 'x'.repeat(room % width) });
}

function nested(depth: number): JsonObject {
  let inner: JsonObject = {};
  for (let level = 1; level < depth; level++) inner = { inner };
  return inner;
}

describe('payload serialisation', () => {
  it('keeps an event of exactly the limit, and refuses one byte more, counting UTF-8 bytes', () => {
    for (const character of ['a', 'é', '€', '👋']) {
      expect(() => serializePayloads([eventOfBytes(1000, character)], 1000)).not.toThrow();
      const failure = (() => {
        try {
          serializePayloads([event({}), eventOfBytes(1001, character)], 1000);
        } catch (error) {
          return error;
        }
        return undefined;
      })();
      expect(failure).toBeInstanceOf(EventTooLargeError);
      expect(failure).toBeInstanceOf(InvalidAppendError);
      expect(failure).toMatchObject({ field: 'events[1]', bytes: 1001, limitBytes: 1000 });
    }
  });

  it('refuses an append whose events together exceed the append limit', () => {
    const events = [eventOfBytes(600, 'a'), eventOfBytes(600, 'a')];
    expect(() => serializePayloads(events, 1000, 1199)).toThrow(EventTooLargeError);
    expect(serializePayloads(events, 1000, 1200).data).toHaveLength(2);
  });

  it(`refuses nesting deeper than ${MAX_JSON_DEPTH} levels, wherever the brackets are`, () => {
    expect(() => serializePayloads([event(nested(MAX_JSON_DEPTH))], 1e6)).not.toThrow();
    expect(() => serializePayloads([event(nested(MAX_JSON_DEPTH + 1))], 1e6)).toThrow(/more than 100 levels deep/);
    expect(() => serializePayloads([event({}, nested(MAX_JSON_DEPTH + 1))], 1e6)).toThrow(expect.objectContaining({ field: 'events[0].metadata' }));
  });

  it('counts depth outside strings only, whatever they hold', () => {
    const brackets = '[{'.repeat(200);
    expect(jsonDeeperThan(JSON.stringify({ text: brackets, 'key [{': `quote \\" ${brackets}`, list: [['"\\\\']] }), 3)).toBe(false);
    expect(jsonDeeperThan(JSON.stringify({ text: '\\', list: [[[1]]] }), 3)).toBe(true);
    expect(jsonDeeperThan(JSON.stringify({ a: [{ b: [] }] }), 4)).toBe(false);
    expect(jsonDeeperThan(`${'['.repeat(5)}${']'.repeat(5)}`, 4)).toBe(true);
  });

  it('writes the JSON text JSON.stringify writes', () => {
    const data = { text: 'Grüße 👋 "q" \\ \n', n: [1, 2.5, null, true], nested: { empty: {} }, skipped: undefined };
    expect(serializePayloads([event(data as unknown as JsonObject, { m: 1 })], 1e6)).toEqual({
      data: [JSON.stringify(data)],
      metadata: ['{"m":1}'],
      length: JSON.stringify(data).length + 7,
    });
  });
});
