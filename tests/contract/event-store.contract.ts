import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import {
  DuplicateEventIdError,
  EventTooLargeError,
  InvalidAppendError,
  InvalidReadError,
  WrongExpectedRevisionError,
} from '../../infra/event-store/errors.js';
import { parsePosition, type EventStore, type JsonObject, type NewEvent, type Position } from '../../infra/event-store/event-store.js';
import { DEFAULT_MAX_EVENT_BYTES } from '../../infra/event-store/serialize-payloads.js';
import { collect, newEvent, newEvents, uniqueStream } from '../support/events.js';
import { badInputs } from './bad-inputs.js';

export interface ContractSubject {
  /** Configured with the default maximum event size. */
  store: EventStore;
  /** The adapter's positions are below this. */
  positionLimit: Position;
  dispose(): Promise<void>;
}

const ERROR_CLASSES = { InvalidAppendError, InvalidReadError } as const;

/** An event whose data and metadata take exactly `bytes` bytes as UTF-8 JSON, mostly in two-byte characters. */
function eventOfBytes(bytes: number): NewEvent {
  // `{"text":"...."}` and `{}` take 13 bytes around the text.
  const text = 'é'.repeat(Math.floor((bytes - 13) / 2)) + 'x'.repeat((bytes - 13) % 2);
  return { id: randomUUID(), type: 'Large', data: { text }, metadata: {} };
}

function nested(depth: number): JsonObject {
  let inner: JsonObject = { deepest: true };
  for (let level = 1; level < depth; level++) inner = { inner };
  return inner;
}

/** What every event store adapter must do; each adapter's test file runs it against a real server. */
export function describeEventStoreContract(name: string, connect: () => Promise<ContractSubject>): void {
  describe(`${name} event store contract`, () => {
    let subject: ContractSubject;
    let store: EventStore;
    beforeAll(async () => {
      subject = await connect();
      store = subject.store;
    });
    afterAll(async () => subject?.dispose());

    describe('appending and reading one stream', () => {
      it('gives revisions from 0 and increasing positions', async () => {
        const stream = uniqueStream();
        const first = await store.appendToStream(stream, newEvents(3), { expectedRevision: 'no_stream' });
        const second = await store.appendToStream(stream, newEvents(2), { expectedRevision: 2n });
        expect(first.nextRevision).toBe(2n);
        expect(second.nextRevision).toBe(4n);
        expect(second.position > first.position).toBe(true);

        const events = await store.readStream(stream);
        expect(events.map((event) => event.revision)).toEqual([0n, 1n, 2n, 3n, 4n]);
        expect(events.map((event) => event.data)).toEqual([{ i: 0 }, { i: 1 }, { i: 2 }, { i: 0 }, { i: 1 }]);
        expect(events[4]!.position).toBe(second.position);
        expect(events.every((event) => event.stream === stream && event.recordedAt instanceof Date)).toBe(true);
        for (let i = 1; i < events.length; i++) expect(events[i]!.position > events[i - 1]!.position).toBe(true);
      });

      it('keeps data and metadata exactly', async () => {
        const stream = uniqueStream();
        const event = {
          id: randomUUID(),
          type: 'PostCreated',
          data: { title: 'Grüße 👋 "quoted" \\ back', nested: { list: [1, 2.5, null, true], empty: {} } },
          metadata: { actor: { type: 'user', id: 'u1' }, tenantId: 't1' },
        };
        await store.appendToStream(stream, [event]);
        const [read] = await store.readStream(stream);
        expect(read).toMatchObject({ id: event.id, type: 'PostCreated', data: event.data, metadata: event.metadata, revision: 0n });
      });

      it('reads and filters by names that need quoting, with the time of recording', async () => {
        const category = `it's a \\ tab\t_%${randomUUID().slice(0, 8)}`;
        const stream = `${category}-Grüße 👋`;
        const type = "Quoted'Type\\%";
        const before = Date.now();
        await store.appendToStream(stream, [newEvent(type, { text: 'line\nbreak\ttab \\ "q"' })]);
        await store.appendToStream(`${category.replace('%', 'x')}-decoy`, [newEvent(type)]);

        const [read] = await store.readStream(stream);
        expect(read).toMatchObject({ stream, type, data: { text: 'line\nbreak\ttab \\ "q"' } });
        expect(Math.abs(read!.recordedAt.getTime() - before)).toBeLessThan(60_000);
        const byPrefix = await store.readAll({ filter: { streamPrefixes: [category] } });
        expect(byPrefix.map((event) => event.stream)).toEqual([stream]);
        const byType = await store.readAll({ filter: { eventTypes: [type], streamPrefixes: [category] } });
        expect(byType.map((event) => event.id)).toEqual([read!.id]);
      });

      it('reads a missing stream as empty', async () => {
        expect(await store.readStream(uniqueStream('missing'))).toEqual([]);
      });

      it('reads backwards and from a revision, up to a count', async () => {
        const stream = uniqueStream();
        await store.appendToStream(stream, newEvents(10));
        const forwards = await store.readStream(stream, { fromRevision: 4n, maxCount: 3 });
        expect(forwards.map((event) => event.revision)).toEqual([4n, 5n, 6n]);
        const backwards = await store.readStream(stream, { direction: 'backwards', maxCount: 2 });
        expect(backwards.map((event) => event.revision)).toEqual([9n, 8n]);
        const backwardsFrom = await store.readStream(stream, { direction: 'backwards', fromRevision: 3n });
        expect(backwardsFrom.map((event) => event.revision)).toEqual([3n, 2n, 1n, 0n]);
      });
    });

    describe('expected revision', () => {
      it('rejects no_stream when the stream exists, and exists when it does not', async () => {
        const stream = uniqueStream();
        await expect(store.appendToStream(stream, [newEvent()], { expectedRevision: 'exists' })).rejects.toBeInstanceOf(
          WrongExpectedRevisionError,
        );
        await store.appendToStream(stream, [newEvent()], { expectedRevision: 'no_stream' });
        const conflict = store.appendToStream(stream, [newEvent()], { expectedRevision: 'no_stream' });
        await expect(conflict).rejects.toMatchObject({ name: 'WrongExpectedRevisionError', stream, actual: 0n });
        await expect(store.appendToStream(stream, [newEvent()], { expectedRevision: 'exists' })).resolves.toMatchObject({ nextRevision: 1n });
      });

      it('rejects a stale revision with the actual one and appends nothing', async () => {
        const stream = uniqueStream();
        await store.appendToStream(stream, newEvents(3));
        const error = await store.appendToStream(stream, [newEvent()], { expectedRevision: 1n }).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(WrongExpectedRevisionError);
        expect((error as WrongExpectedRevisionError).actual).toBe(2n);
        expect(await store.readStream(stream)).toHaveLength(3);
      });

      it('lets exactly one of 50 concurrent appends at the same revision win, per revision', async () => {
        const stream = uniqueStream();
        await store.appendToStream(stream, [newEvent()], { expectedRevision: 'no_stream' });
        for (const revision of [0n, 1n]) {
          const attempts = await Promise.allSettled(
            Array.from({ length: 50 }, () => store.appendToStream(stream, [newEvent()], { expectedRevision: revision })),
          );
          const winners = attempts.filter((attempt) => attempt.status === 'fulfilled');
          const losers = attempts.filter((attempt) => attempt.status === 'rejected');
          expect(winners).toHaveLength(1);
          expect(losers).toHaveLength(49);
          for (const loser of losers) expect((loser as PromiseRejectedResult).reason).toBeInstanceOf(WrongExpectedRevisionError);
        }
        expect((await store.readStream(stream)).map((event) => event.revision)).toEqual([0n, 1n, 2n]);
      });

      it('serialises 50 concurrent appends with any into 50 distinct revisions', async () => {
        const stream = uniqueStream();
        const results = await Promise.all(Array.from({ length: 50 }, () => store.appendToStream(stream, [newEvent()])));
        const revisions = results.map((result) => result.nextRevision).sort((a, b) => (a < b ? -1 : 1));
        expect(revisions).toEqual(Array.from({ length: 50 }, (_, i) => BigInt(i)));
      });
    });

    describe('idempotency', () => {
      it('does not append the same event ids twice, answering the first result', async () => {
        const stream = uniqueStream();
        const events = newEvents(3);
        const first = await store.appendToStream(stream, events, { expectedRevision: 'no_stream' });
        const retried = await store.appendToStream(stream, events, { expectedRevision: 'no_stream' });
        expect(retried).toEqual(first);
        const retriedAny = await store.appendToStream(stream, events);
        expect(retriedAny).toEqual(first);
        expect(await store.readStream(stream)).toHaveLength(3);
      });

      it('answers concurrent retries of one append with one result', async () => {
        const stream = uniqueStream();
        const events = newEvents(2);
        const results = await Promise.all(Array.from({ length: 10 }, () => store.appendToStream(stream, events)));
        expect(new Set(results.map((result) => String(result.position))).size).toBe(1);
        expect(await store.readStream(stream)).toHaveLength(2);
      });

      it('refuses the same event id again with another type, data or metadata, whatever the expectation', async () => {
        const stream = uniqueStream();
        const event = newEvent('Thing', { i: 1 });
        const first = await store.appendToStream(stream, [event], { expectedRevision: 'no_stream' });
        const changed: NewEvent[] = [
          { ...event, type: 'OtherThing' },
          { ...event, data: { i: 2 } },
          { ...event, metadata: { correlationId: 'another' } },
        ];
        for (const retry of changed) {
          await expect(store.appendToStream(stream, [retry])).rejects.toBeInstanceOf(DuplicateEventIdError);
          await expect(store.appendToStream(stream, [retry], { expectedRevision: 'no_stream' })).rejects.toBeInstanceOf(DuplicateEventIdError);
        }
        expect(await store.appendToStream(stream, [{ ...event }], { expectedRevision: 'no_stream' })).toEqual(first);
        const recorded = await store.readStream(stream);
        expect(recorded.map((read) => [read.type, read.data, read.metadata])).toEqual([['Thing', { i: 1 }, event.metadata]]);
      });

      it('refuses recorded events sent again in another order', async () => {
        const stream = uniqueStream();
        const [a, b] = newEvents(2);
        await store.appendToStream(stream, [a!, b!]);
        await expect(store.appendToStream(stream, [b!, a!])).rejects.toBeInstanceOf(DuplicateEventIdError);
        expect(await store.readStream(stream)).toHaveLength(2);
      });

      it('rejects a batch that repeats only some recorded ids', async () => {
        const stream = uniqueStream();
        const [a, b] = newEvents(2);
        await store.appendToStream(stream, [a!]);
        await expect(store.appendToStream(stream, [a!, b!])).rejects.toBeInstanceOf(DuplicateEventIdError);
        expect(await store.readStream(stream)).toHaveLength(1);
      });
    });

    describe('bad input', () => {
      it.each(badInputs)('refuses $name with $error naming $field, writing nothing', async ({ error, field, call }) => {
        const stream = uniqueStream('bad');
        const failure = await call(store, stream).then(
          () => undefined,
          (thrown: unknown) => thrown,
        );
        expect(failure).toBeInstanceOf(ERROR_CLASSES[error]);
        expect(failure).toMatchObject({ field });
        expect(await store.readStream(stream)).toEqual([]);
      });

      it('keeps names that differ only by an unpaired surrogate apart by refusing them', async () => {
        const stream = uniqueStream();
        await store.appendToStream(`${stream}-\ufffd`, [newEvent()], { expectedRevision: 'no_stream' });
        await expect(store.appendToStream(`${stream}-\ud800`, [newEvent()], { expectedRevision: 'no_stream' })).rejects.toBeInstanceOf(InvalidAppendError);
        await expect(store.readStream(`${stream}-\udc00`)).rejects.toBeInstanceOf(InvalidReadError);
        expect(await store.readStream(`${stream}-\ufffd`)).toHaveLength(1);
      });

      it('refuses positions at its own limit', async () => {
        await expect(store.readAll({ fromPosition: subject.positionLimit })).rejects.toBeInstanceOf(InvalidReadError);
        expect(() => store.subscribeToAll({ fromPosition: subject.positionLimit })).toThrow(InvalidReadError);
      });

      it('keeps payloads nested 100 levels deep, and empty reads of 0 events', async () => {
        const stream = uniqueStream();
        await store.appendToStream(stream, [newEvent('Deep', nested(100))]);
        const [read] = await store.readStream(stream);
        expect(read!.data).toEqual(nested(100));
        expect(await store.readStream(stream, { maxCount: 0 })).toEqual([]);
      });

      it('rejects malformed appends before writing anything', async () => {
        const stream = uniqueStream();
        await expect(store.appendToStream(stream, [])).rejects.toBeInstanceOf(InvalidAppendError);
        await expect(store.appendToStream(stream, [{ ...newEvent(), id: 'not-a-uuid' }])).rejects.toBeInstanceOf(InvalidAppendError);
        await expect(store.appendToStream('', [newEvent()])).rejects.toBeInstanceOf(InvalidAppendError);
        const twice = newEvent();
        await expect(store.appendToStream(stream, [twice, twice])).rejects.toBeInstanceOf(InvalidAppendError);
        await expect(store.appendToStream(stream, [newEvent('Bad', { text: 'nul \u0000 byte' })])).rejects.toBeInstanceOf(InvalidAppendError);
        await expect(store.appendToStream(stream, [newEvent('Bad', {}), newEvent('Bad', { text: 'half \ud800 pair' })])).rejects.toBeInstanceOf(InvalidAppendError);
        expect(await store.readStream(stream)).toEqual([]);
        // Escapes that only look alike are stored as they are.
        await store.appendToStream(stream, [newEvent('Fine', { text: 'a \\u0000 literal, a pair 👋' })]);
        expect((await store.readStream(stream))[0]!.data).toEqual({ text: 'a \\u0000 literal, a pair 👋' });
      });

      it('parses positions it printed, and nothing else', async () => {
        const { position } = await store.appendToStream(uniqueStream(), [newEvent()]);
        expect(parsePosition(String(position))).toBe(position);
        expect(() => parsePosition('12abc')).toThrow(/not a log position/);
        expect(() => parsePosition('-1')).toThrow(/not a log position/);
      });
    });

    describe('event size', () => {
      it('refuses an event one byte over the limit, counting UTF-8 bytes, and writes nothing', async () => {
        const stream = uniqueStream();
        const event = eventOfBytes(DEFAULT_MAX_EVENT_BYTES + 1);
        const failure = await store.appendToStream(stream, [newEvent(), event]).catch((thrown: unknown) => thrown);
        expect(failure).toBeInstanceOf(EventTooLargeError);
        expect(failure).toMatchObject({ field: 'events[1]', bytes: DEFAULT_MAX_EVENT_BYTES + 1, limitBytes: DEFAULT_MAX_EVENT_BYTES });
        expect(await store.readStream(stream)).toEqual([]);
      });

      it('reads back an event near the limit, alone and among others', async () => {
        const stream = uniqueStream();
        const large = eventOfBytes(DEFAULT_MAX_EVENT_BYTES - 16 * 1024);
        await store.appendToStream(stream, [newEvent(), large, newEvent()]);
        const events = await store.readStream(stream);
        expect(events.map((event) => event.id)).toEqual([expect.any(String), large.id, expect.any(String)]);
        expect(events[1]!.data).toEqual(large.data);
        const [again] = await store.readStream(stream, { fromRevision: 1n, maxCount: 1 });
        expect(again!.data).toEqual(large.data);
      });
    });

    describe('the global log', () => {
      it('reads all in global order, from a position, with a filter', async () => {
        const category = `cat${randomUUID().slice(0, 8)}`;
        const streams = [uniqueStream(category), uniqueStream(category), uniqueStream('other')];
        const before = await store.headPosition();
        const results = [];
        for (const stream of streams) results.push(await store.appendToStream(stream, newEvents(2, stream.startsWith('other') ? 'OtherThing' : 'Thing')));

        const all = await store.readAll({ fromPosition: before });
        const ours = all.filter((event) => streams.includes(event.stream));
        expect(ours).toHaveLength(6);
        for (let i = 1; i < all.length; i++) expect(all[i]!.position > all[i - 1]!.position).toBe(true);

        const byCategory = await store.readAll({ fromPosition: before, filter: { streamPrefixes: [`${category}-`] } });
        expect(byCategory.map((event) => event.stream)).toEqual([streams[0], streams[0], streams[1], streams[1]]);
        const byType = await store.readAll({ fromPosition: before, filter: { eventTypes: ['OtherThing'] } });
        expect(byType.map((event) => event.stream)).toEqual([streams[2], streams[2]]);

        const afterFirst = await store.readAll({ fromPosition: results[0]!.position, maxCount: 2 });
        expect(afterFirst.map((event) => event.stream)).toEqual([streams[1], streams[1]]);
        expect(await store.headPosition()).toBe(results[2]!.position);
      });

      it('delivers every event of 8 concurrent writers exactly once, in position order, to a live subscriber', async () => {
        const from = await store.headPosition();
        const category = `w${randomUUID().slice(0, 8)}`;
        const subscription = store.subscribeToAll({ fromPosition: from, filter: { streamPrefixes: [`${category}-`] } });
        const writers = 8;
        const appendsPerWriter = 40;
        const written: string[] = [];
        const received = collect(subscription, (events) => events.length >= written.length && written.length === writers * appendsPerWriter * 2, 60_000);
        await Promise.all(
          Array.from({ length: writers }, async (_, writer) => {
            for (let i = 0; i < appendsPerWriter; i++) {
              const stream = `${category}-${writer}-${i % 5}`;
              const events = newEvents(2);
              await store.appendToStream(stream, events);
              written.push(...events.map((event) => event.id));
            }
          }),
        );
        const { events } = await received;
        expect(events.map((event) => event.id).sort()).toEqual([...written].sort());
        expect(new Set(events.map((event) => event.id)).size).toBe(events.length);
        for (let i = 1; i < events.length; i++) expect(events[i]!.position > events[i - 1]!.position).toBe(true);
      });

      it('catches up from a middle position, says so, then goes live', async () => {
        const stream = uniqueStream('mid');
        const results: Position[] = [];
        for (let i = 0; i < 6; i++) results.push((await store.appendToStream(stream, [newEvent('Thing', { i })])).position);
        const subscription = store.subscribeToAll({ fromPosition: results[2], filter: { streamPrefixes: [stream] } });
        let appendedLive = false;
        const { events, items } = await collect(subscription, (seen, item) => {
          if (item.kind === 'caught-up' && !appendedLive) {
            appendedLive = true;
            void store.appendToStream(stream, [newEvent('Thing', { i: 6 })]);
          }
          return seen.length === 4;
        });
        expect(events.map((event) => event.data['i'])).toEqual([3, 4, 5, 6]);
        const caughtUpAt = items.findIndex((item) => item.kind === 'caught-up');
        expect(caughtUpAt).toBe(3);
      });

      it('stops cleanly on close, and on break', async () => {
        const stream = uniqueStream('stop');
        await store.appendToStream(stream, newEvents(3));
        const closing = store.subscribeToAll({ filter: { streamPrefixes: [stream] } });
        const iterator = closing[Symbol.asyncIterator]();
        expect((await iterator.next()).value).toMatchObject({ kind: 'event' });
        const pending = iterator.next();
        await closing.close();
        // Already-read items may still arrive; the iteration then ends instead of hanging.
        let result = await pending;
        while (!result.done) result = await iterator.next();
        expect(result.done).toBe(true);

        const breaking = store.subscribeToAll({ filter: { streamPrefixes: [stream] } });
        let seen = 0;
        for await (const item of breaking) {
          if (item.kind === 'event') seen++;
          if (seen === 2) break;
        }
        expect(seen).toBe(2);
        await breaking.close();
      });
    });
  });
}
