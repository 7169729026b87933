import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { GENEROUS_LIMITS_ENV, HttpClient, expectJson, type AuthAnswer } from '../support/auth-http.js';
import { newEvent } from '../support/events.js';
import { FeedSocket } from '../support/feed-socket.js';
import { scrapeSample } from '../support/prometheus-text.js';
import { SseReader, isRefusal, type SseRefusal } from '../support/sse-reader.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

let app: TestApp;
let http: HttpClient;
let operator: AuthAnswer;
const readers: SseReader[] = [];
const sockets: FeedSocket[] = [];

const PER_USER = 3;

beforeAll(async () => {
  app = await startTestApp({
    env: { ...GENEROUS_LIMITS_ENV, FEED_HEARTBEAT_MS: '200', FEED_AUTH_RECHECK_MS: '200', FEED_MAX_CONNECTIONS_PER_USER: String(PER_USER), FEED_MAX_BUFFERED_BYTES: String(64 * 1024) },
  });
  http = new HttpClient(app.url);
  operator = await http.signup();
}, 30_000);

afterAll(async () => {
  for (const socket of sockets) socket.terminate();
  await app?.stop();
}, 30_000);

// Each test starts with no stream open: the operator's streams count under FEED_MAX_CONNECTIONS_PER_USER.
afterEach(async () => {
  for (const reader of readers.splice(0)) reader.close();
  for (let tries = 0; app.services && (await scrapeSample(app.url, 'chronicle_feed_connections', { transport: 'sse' }).catch(() => 0)) > 0; tries++) {
    if (tries > 200) throw new Error('streams closed by their clients stay open on the server');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
});

const category = (name: string) => `${name}${randomUUID().slice(0, 8)}`;

async function append(stream: string, type: string, data: Record<string, string | number> = {}): Promise<string> {
  return String((await app.services.eventStore.appendToStream(stream, [newEvent(type, data)])).position);
}

async function stream(query: Record<string, string>, headers: Record<string, string> = { authorization: `Bearer ${operator.accessToken}` }): Promise<SseReader> {
  const answer = await SseReader.open(app.url, query, headers);
  if (isRefusal(answer)) throw new Error(`refused with ${answer.status}: ${answer.body}`);
  readers.push(answer);
  return answer;
}

async function refused(query: Record<string, string>, headers: Record<string, string> = {}): Promise<SseRefusal> {
  const answer = await SseReader.open(app.url, query, headers);
  if (!isRefusal(answer)) {
    answer.close();
    throw new Error('expected a refusal, got a stream');
  }
  return answer;
}

const caughtUp = (reader: SseReader) => reader.waitFor(() => reader.messages.some((message) => message.type === 'caught-up'), 'caught-up');

describe('GET /feed/sse', () => {
  it('replays then streams live the events its filters match, as the socket messages, each with its position as the event id', async () => {
    const [a, b] = [category('a'), category('b')];
    const early = [await append(`${a}-1`, 'Alpha'), await append(`${b}-1`, 'Alpha'), await append(`${a}-2`, 'Bravo')];
    const reader = await stream({ categories: `${a},${b}`, eventTypes: 'Alpha', from: 'start' });
    const narrow = await stream({ streams: `${a}-2` });
    await caughtUp(reader);
    await caughtUp(narrow);
    const late = [await append(`${a}-2`, 'Alpha', { n: 1 }), await append(`${b}-9`, 'Bravo')];

    const events = await reader.eventsUntil(3);
    expect(events.map((frame) => frame.id)).toEqual([early[0], early[1], late[0]]);
    expect(events.map((frame) => (JSON.parse(frame.data) as { position: string }).position)).toEqual([early[0], early[1], late[0]]);
    expect(JSON.parse(events[2]!.data)).toEqual({
      type: 'event', subscription: 'sse', position: late[0], stream: `${a}-2`, revision: '1', eventType: 'Alpha',
      data: { n: 1 }, metadata: expect.any(Object), recordedAt: expect.stringMatching(/^\d{4}-/),
    });
    expect(reader.messages.map((message) => message.type)).toEqual(['subscribed', 'event', 'event', 'caught-up', 'event']);
    // `caught-up` carries its position as the id too: a reconnect from it misses nothing.
    const caughtUpFrame = reader.frames.find((frame) => frame.data.startsWith('{"type":"caught-up"'))!;
    expect(caughtUpFrame.id).toBe((JSON.parse(caughtUpFrame.data) as { position: string }).position);
    // `live` (the default) starts at the head.
    expect((await narrow.eventsUntil(1)).map((frame) => frame.id)).toEqual([late[0]]);
  });

  it("resumes exactly after a browser's Last-Event-ID, which takes precedence over `from`", async () => {
    const a = category('resume');
    const written = [];
    for (let n = 0; n < 4; n++) written.push(await append(`${a}-1`, 'Written', { n }));
    const first = await stream({ categories: a, from: 'start' });
    await first.eventsUntil(4);
    first.close();
    // Appended while the browser is away.
    for (let n = 4; n < 6; n++) written.push(await append(`${a}-1`, 'Written', { n }));
    const again = await stream({ categories: a, from: 'start' }, { authorization: `Bearer ${operator.accessToken}`, 'last-event-id': written[1]! });
    await caughtUp(again);
    written.push(await append(`${a}-1`, 'Written', { n: 6 }));
    expect((await again.eventsUntil(5)).map((frame) => frame.id)).toEqual(written.slice(2));
  });

  it('authenticates like the socket: access_token, X-Api-Key, none (a guest); a bad credential is 401, a bad query 400', async () => {
    const a = category('auth');
    const { key } = await expectJson<{ key: string }>(await http.post('/api/api-keys', { name: 'sse' }, { bearer: operator.accessToken }), 201);
    const byQuery = await stream({ categories: a, access_token: operator.accessToken }, {});
    const byKey = await stream({ categories: a }, { 'x-api-key': key });
    const guest = await stream({ categories: a }, {});
    for (const reader of [byQuery, byKey, guest]) await caughtUp(reader);
    const position = await append(`${a}-1`, 'ForReaders');
    // The operator reads it: the token was taken (a guest would not read it).
    expect((await byQuery.eventsUntil(1)).map((frame) => frame.id)).toEqual([position]);
    await byKey.waitFor(() => byKey.messages.length >= 2, 'the API key stream open');
    const fence = await stream({ categories: a, from: 'start' }, {});
    await caughtUp(fence);
    expect(guest.events()).toEqual([]);
    expect(fence.events()).toEqual([]);

    const bad = await refused({ access_token: 'not-a-token' });
    expect(bad.status).toBe(401);
    expect(JSON.parse(bad.body)).toEqual({ error: { code: expect.any(String), message: expect.any(String) } });
    const badQueries: Array<Record<string, string>> = [{ from: 'yesterday' }, { categories: 'a,,b' }, { eventTypes: 'x'.repeat(300) }];
    for (const query of badQueries) {
      const answer = await refused(query, { authorization: `Bearer ${operator.accessToken}` });
      expect([answer.status, (JSON.parse(answer.body) as { error: { code: string } }).error.code]).toEqual([400, 'invalid_query']);
    }
    const badId = await refused({}, { 'last-event-id': 'abc' });
    expect([badId.status, (JSON.parse(badId.body) as { error: { code: string } }).error.code]).toEqual([400, 'invalid_headers']);
  });

  it('is documented in /openapi.json as an event stream (which the fuzz test leaves alone, since it never ends)', async () => {
    const document = (await (await fetch(`${app.url}/openapi.json`)).json()) as { paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, unknown> }> }>> };
    expect(Object.keys(document.paths['/feed/sse']?.get?.responses['200']?.content ?? {})).toEqual(['text/event-stream']);
  });

  it('writes a comment every FEED_HEARTBEAT_MS', async () => {
    const reader = await stream({ categories: category('quiet') });
    await reader.waitFor(() => reader.comments.length >= 2, 'two heartbeat comments');
    expect(reader.comments.slice(0, 2)).toEqual(['keep-alive', 'keep-alive']);
  });

  it('counts streams and sockets together under FEED_MAX_CONNECTIONS_PER_USER: one more stream is 429 with Retry-After', async () => {
    const user = await http.signup();
    const bearer = { authorization: `Bearer ${user.accessToken}` };
    const socket = await FeedSocket.open(app.url, { bearer: user.accessToken });
    sockets.push(socket);
    const held = [await stream({}, bearer), await stream({}, bearer)];
    const over = await refused({}, bearer);
    expect(over.status).toBe(429);
    expect(over.headers['retry-after']).toBe('5');
    expect((JSON.parse(over.body) as { error: { code: string } }).error.code).toBe('too_many_connections');
    held[0]!.close();
    await held[0]!.ended;
    for (let tries = 0; ; tries++) {
      const answer = await SseReader.open(app.url, {}, bearer);
      if (!isRefusal(answer)) {
        readers.push(answer);
        break;
      }
      if (tries > 100) throw new Error('the place of the closed stream was never given back');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  });

  it('cuts off a client that does not read once more than FEED_MAX_BUFFERED_BYTES are queued; it resumes after its last id with no gap', async () => {
    const a = category('slow');
    const slow = await stream({ categories: a });
    await caughtUp(slow);
    const before = await scrapeSample(app.url, 'chronicle_feed_disconnects_total', { transport: 'sse', reason: 'slow_consumer' });
    slow.response.pause();
    const written = [];
    for (let n = 0; n < 8; n++) written.push(String((await app.services.eventStore.appendToStream(`${a}-1`, [newEvent('Big', { n, blob: 'x'.repeat(800_000) })])).position));
    for (let tries = 0; (await scrapeSample(app.url, 'chronicle_feed_disconnects_total', { transport: 'sse', reason: 'slow_consumer' })) === before; tries++) {
      if (tries > 400) throw new Error('the slow stream was never cut off');
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    slow.response.resume();
    await slow.ended;
    const received = slow.events().map((frame) => frame.id!);
    expect(received.length).toBeLessThan(written.length);
    expect(received).toEqual(written.slice(0, received.length));
    const resumed = await stream({ categories: a }, { authorization: `Bearer ${operator.accessToken}`, ...(received.length > 0 ? { 'last-event-id': received.at(-1)! } : {}) }, );
    expect((await resumed.eventsUntil(written.length - received.length)).map((frame) => frame.id)).toEqual(written.slice(received.length));
    resumed.close();
  });

  it('ends the stream with a close event 4001 once its session ends (logout)', async () => {
    const login = await http.login(operator.user.email);
    const reader = await stream({}, { authorization: `Bearer ${login.accessToken}` });
    await caughtUp(reader);
    await expectJson(await http.post('/auth/logout', { refreshToken: login.refreshToken }), 204);
    await reader.ended;
    expect(reader.frames.at(-1)).toEqual({ event: 'close', data: JSON.stringify({ code: 4001, reason: 'session_ended' }) });
  });

  it('ends every stream with a close event 1001 at shutdown', async () => {
    const reader = await stream({});
    await caughtUp(reader);
    await app.runtime.stop();
    await reader.ended;
    expect(reader.frames.at(-1)).toEqual({ event: 'close', data: JSON.stringify({ code: 1001, reason: 'server shutting down' }) });
  });
});
