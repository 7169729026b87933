import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { systemRuntime } from '../../commands/runtime.js';
import { PostgresEventStore } from '../../infra/event-store/postgres/postgres-event-store.js';
import { createLogger } from '../../infra/logging/logger.js';
import { CountingEventStore } from '../support/counting-event-store.js';
import { HoldableEventStore } from '../support/holdable-event-store.js';
import { GENEROUS_LIMITS_ENV, HttpClient, expectJson, type AuthAnswer } from '../support/auth-http.js';
import { uniqueEmail } from '../support/identity-harness.js';
import { newEvent } from '../support/events.js';
import { FeedSocket, UpgradeRefused, type FeedEventMessage } from '../support/feed-socket.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

let app: TestApp;
let http: HttpClient;
let operator: AuthAnswer;
let store: CountingEventStore;
/** Holds the process's store subscription (the hub) behind the log. */
let hubSource: HoldableEventStore;
/** Added to the process's clock (its feature runtime), to let access tokens expire. */
let clockOffsetMs = 0;
const open: FeedSocket[] = [];

/** A category of this run, so that no other event of the log matches. */
const category = (name: string) => `${name}${randomUUID().slice(0, 8)}`;

async function connect(options: Parameters<typeof FeedSocket.open>[1] = { bearer: operator.accessToken }): Promise<FeedSocket> {
  const socket = await FeedSocket.open(app.url, options);
  open.push(socket);
  return socket;
}

async function append(stream: string, type: string, data: Record<string, string | number> = {}): Promise<string> {
  const { position } = await app.services.eventStore.appendToStream(stream, [newEvent(type, data)]);
  return String(position);
}

const positions = (events: readonly FeedEventMessage[]) => events.map((event) => event.position);

beforeAll(async () => {
  app = await startTestApp({
    env: { ...GENEROUS_LIMITS_ENV, FEED_AUTH_RECHECK_MS: '200' },
    identity: { runtime: { newId: systemRuntime().newId, now: () => new Date(Date.now() + clockOffsetMs) } },
    eventStore: async (url) => (store = new CountingEventStore((hubSource = new HoldableEventStore(await PostgresEventStore.connect({ connectionString: url, logger: createLogger('silent'), pollIntervalMs: 100 }))))),
  });
  http = new HttpClient(app.url);
  operator = await http.signup();
  expect(operator.user.roles).toContain('operator');
}, 30_000);

afterAll(async () => {
  for (const socket of open) socket.terminate();
  await app?.stop();
  await store?.close();
}, 30_000);

describe('GET /feed live delivery', () => {
  it("fans each event out to the socket's subscriptions whose filters match, each under its own id, in log order", async () => {
    const [a, b, c] = [category('a'), category('b'), category('c')];
    const socket = await connect();
    await socket.subscribe('by-category', { categories: [a] });
    await socket.subscribe('by-type', { eventTypes: [`Bravo${b}`] });
    await socket.subscribe('by-stream', { streams: [`${b}-2`] });
    await socket.subscribe('by-type-and-category', { categories: [a], eventTypes: [`Bravo${b}`] });
    await socket.subscribe('all-three', { categories: [a, b, c] });

    const e1 = await append(`${a}-1`, 'Alpha', { n: 1 });
    const e2 = await append(`${b}-1`, `Bravo${b}`);
    const e3 = await append(`${b}-2`, 'Charlie');
    const e4 = await append(`${a}-2`, `Bravo${b}`);
    const e5 = await append(`${c}-1`, 'Delta');
    // Every subscription of a socket is offered an event before the next one: once the widest has e5, the others have all theirs.
    await socket.eventsUntil('all-three', 5);

    expect(positions(socket.events('all-three'))).toEqual([e1, e2, e3, e4, e5]);
    expect(positions(socket.events('by-category'))).toEqual([e1, e4]);
    expect(positions(socket.events('by-type'))).toEqual([e2, e4]);
    expect(positions(socket.events('by-stream'))).toEqual([e3]);
    expect(positions(socket.events('by-type-and-category'))).toEqual([e4]);
    const [first] = socket.events('by-category');
    expect(first).toEqual({
      type: 'event',
      subscription: 'by-category',
      position: e1,
      stream: `${a}-1`,
      revision: '0',
      eventType: 'Alpha',
      data: { n: 1 },
      metadata: expect.objectContaining({ correlationId: expect.any(String) }),
      recordedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
  });

  it('feeds every socket and subscription of the process from one store subscription', async () => {
    const sockets = [await connect(), await connect(), await connect({})];
    for (const [index, socket] of sockets.entries()) {
      await socket.subscribe('one', { categories: [`one${index}`] });
      await socket.subscribe('two');
    }
    expect(store.reads.filter((read) => read === 'subscribeToAll')).toEqual(['subscribeToAll']);
  });

  it('stops a subscription on unsubscribe and keeps the others of the socket', async () => {
    const a = category('unsub');
    const socket = await connect();
    await socket.subscribe('leaving', { categories: [a] });
    await socket.subscribe('staying', { categories: [a] });
    const before = await append(`${a}-1`, 'Before');
    await socket.eventsUntil('leaving', 1);
    socket.send({ type: 'unsubscribe', id: 'leaving' });
    // A message on the same socket after the unsubscribe: it has been handled once this is answered.
    socket.send({ type: 'unsubscribe', id: 'never-opened' });
    await socket.until((message) => message.type === 'error' && message.code === 'unknown_subscription');
    const after = [await append(`${a}-1`, 'After'), await append(`${a}-1`, 'After')];
    await socket.eventsUntil('staying', 3);
    expect(positions(socket.events('staying'))).toEqual([before, ...after]);
    expect(positions(socket.events('leaving'))).toEqual([before]);
  });

  it('replays from the start or after a position, then continues live; "live" starts at the head', async () => {
    const a = category('from');
    const written = [];
    for (let n = 0; n < 5; n++) written.push(await append(`${a}-${n % 2}`, 'Written', { n }));
    const socket = await connect();
    await socket.subscribe('start', { categories: [a] }, 'start');
    await socket.subscribe('after-second', { categories: [a] }, written[1]);
    await socket.subscribe('live', { categories: [a] }, 'live');
    expect(positions(socket.events('start'))).toEqual(written);
    expect(positions(socket.events('after-second'))).toEqual(written.slice(2));
    expect(socket.events('live')).toEqual([]);
    const caughtUp = socket.messages.filter((message) => message.type === 'caught-up');
    for (const message of caughtUp) expect(message).toEqual({ type: 'caught-up', subscription: expect.any(String), position: expect.stringMatching(/^\d+$/) });
    expect(BigInt((caughtUp.find((message) => message.type === 'caught-up' && message.subscription === 'start') as { position: string }).position)).toBeGreaterThanOrEqual(BigInt(written[4]!));

    const later = await append(`${a}-9`, 'Later');
    for (const id of ['start', 'after-second', 'live']) await socket.eventsUntil(id, id === 'live' ? 1 : id === 'start' ? 6 : 4);
    expect(positions(socket.events('start'))).toEqual([...written, later]);
    expect(positions(socket.events('after-second'))).toEqual([...written.slice(2), later]);
    expect(positions(socket.events('live'))).toEqual([later]);
    // `subscribed` comes first, `caught-up` after the replayed events.
    const forStart = socket.messages.filter((message) => ('subscription' in message && message.subscription === 'start') || ('id' in message && message.id === 'start'));
    expect(forStart.map((message) => message.type)).toEqual(['subscribed', 'event', 'event', 'event', 'event', 'event', 'caught-up', 'event']);
  });

  it('says caught-up only after every event committed before the subscribe, also while the hub lags behind the log', async () => {
    const a = category('lag');
    const seen = [await append(`${a}-1`, 'Seen'), await append(`${a}-1`, 'Seen')];
    // The hub has both once a live subscriber got them: the catch-up's seam (the hub's position) is at or after them.
    const fence = await connect();
    await fence.subscribe('fence', { categories: [a] }, seen[0]);
    await fence.eventsUntil('fence', 1);
    hubSource.hold();
    try {
      // Committed before the subscribe, but not yet in the hub.
      const lagging = await append(`${a}-2`, 'Lagging');
      const socket = await connect();
      socket.send({ type: 'subscribe', id: 'start', filter: { categories: [a] }, from: 'start' });
      socket.send({ type: 'subscribe', id: 'leaving', filter: { categories: [a] }, from: 'start' });
      await socket.eventsUntil('start', 2);
      await socket.eventsUntil('leaving', 2);
      socket.send({ type: 'unsubscribe', id: 'leaving' });
      // Answered after the unsubscribe was handled.
      socket.send({ type: 'unsubscribe', id: 'never-opened' });
      await socket.until((message) => message.type === 'error' && message.code === 'unknown_subscription');
      hubSource.release();

      const caughtUp = await socket.until((message) => message.type === 'caught-up' && message.subscription === 'start');
      expect(positions(socket.events('start'))).toEqual([...seen, lagging]);
      const forStart = socket.messages.filter((message) => ('subscription' in message && message.subscription === 'start') || ('id' in message && message.id === 'start'));
      expect(forStart.map((message) => message.type)).toEqual(['subscribed', 'event', 'event', 'event', 'caught-up']);
      expect(BigInt((caughtUp as { position: string }).position)).toBeGreaterThanOrEqual(BigInt(lagging));
      // The subscription that left while waiting is told nothing more (a later subscription's caught-up is the fence).
      await socket.subscribe('after', { categories: [a] }, lagging);
      expect(socket.messages.filter((message) => 'subscription' in message && message.subscription === 'leaving').map((message) => message.type)).toEqual(['event', 'event']);
    } finally {
      hubSource.release();
    }
  });
});

describe('GET /feed bad messages', () => {
  it('answers each bad message with an error message; the socket and the other clients carry on', async () => {
    const a = category('bad');
    const bystander = await connect();
    await bystander.subscribe('s', { categories: [a] });
    const socket = await connect();
    await socket.subscribe('s', { categories: [a] });

    const bad: Array<[unknown, string]> = [
      ['{not json', 'invalid_json'],
      [JSON.stringify([1, 2]), 'invalid_message'],
      [{ type: 'subscribe' }, 'invalid_message'],
      [{ type: 'subscribe', id: 'x', filter: { categories: 'not-a-list' } }, 'invalid_message'],
      [{ type: 'subscribe', id: 'x', from: 'yesterday' }, 'invalid_message'],
      [{ type: 'subscribe', id: 'x', filter: { colour: ['red'] } }, 'invalid_message'],
      [{ type: 'dance' }, 'invalid_message'],
      [{ type: 'subscribe', id: 's', filter: { categories: [a] } }, 'subscription_exists'],
      [{ type: 'unsubscribe', id: 'nope' }, 'unknown_subscription'],
    ];
    for (const [message, code] of bad) {
      const errorsBefore = socket.messages.filter((received) => received.type === 'error').length;
      socket.send(message);
      await socket.waitFor(() => socket.messages.filter((received) => received.type === 'error').length > errorsBefore);
      const answer = socket.messages.filter((received) => received.type === 'error').at(-1);
      expect(answer).toEqual({ type: 'error', code, message: expect.any(String), ...(code === 'subscription_exists' || code === 'unknown_subscription' ? { subscription: expect.any(String) } : {}) });
    }

    const position = await append(`${a}-1`, 'StillFlowing');
    for (const client of [socket, bystander]) expect(positions(await client.eventsUntil('s', 1))).toEqual([position]);
    expect(bystander.messages.some((message) => message.type === 'error')).toBe(false);
    expect(socket.ws.readyState).toBe(socket.ws.OPEN);
  });

  it('closes a socket whose message is over FEED_MAX_MESSAGE_BYTES with 1009, and only that one', async () => {
    const socket = await connect();
    const other = await connect();
    socket.send({ type: 'subscribe', id: 'x'.repeat(100), filter: { categories: Array.from({ length: 100 }, (_, n) => `c${n}`.repeat(500)) } });
    expect((await socket.closed).code).toBe(1009);
    await other.subscribe('still-here');
  });
});

describe('GET /feed authentication at connect', () => {
  it('takes the token as a bearer header, an access_token parameter or a bearer.<token> subprotocol (answered with it)', async () => {
    const a = category('auth');
    const byHeader = await connect({ bearer: operator.accessToken });
    const byQuery = await connect({ accessToken: operator.accessToken });
    const byProtocol = await connect({ protocolToken: operator.accessToken, otherProtocols: ['chronicle.feed'] });
    expect(byProtocol.ws.protocol).toBe(`bearer.${operator.accessToken}`);
    for (const socket of [byHeader, byQuery, byProtocol]) await socket.subscribe('s', { categories: [a] });
    const position = await append(`${a}-1`, 'ForAll');
    // The operator reads it on each: the token was taken each way (a guest would not read it).
    for (const socket of [byHeader, byQuery, byProtocol]) expect(positions(await socket.eventsUntil('s', 1))).toEqual([position]);
  });

  it('takes an API key the same three ways', async () => {
    const { key } = await expectJson<{ key: string }>(await http.post('/api/api-keys', { name: 'feed' }, { bearer: operator.accessToken }), 201);
    for (const options of [{ bearer: key }, { accessToken: key }, { protocolToken: key }]) {
      const socket = await connect(options);
      await socket.subscribe('s');
    }
  });

  it('refuses a bad or ambiguous credential with an HTTP error on the upgrade, never a silent guest', async () => {
    for (const options of [{ bearer: 'not-a-token' }, { accessToken: `${operator.accessToken}x` }, { protocolToken: 'chk_not_a_key' }]) {
      const refused = await FeedSocket.open(app.url, options).then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(refused).toBeInstanceOf(UpgradeRefused);
      expect((refused as UpgradeRefused).status).toBe(401);
      expect(JSON.parse((refused as UpgradeRefused).body)).toEqual({ error: { code: expect.any(String), message: expect.any(String) } });
    }
    const both = await FeedSocket.open(app.url, { bearer: operator.accessToken, accessToken: operator.accessToken }).catch((error: unknown) => error);
    expect((both as UpgradeRefused).status).toBe(400);
  });

  it('lets a guest connect without a credential; a guest reads none of these events', async () => {
    const a = category('guest');
    const guest = await connect({});
    const reader = await connect();
    await guest.subscribe('s', { categories: [a] });
    await reader.subscribe('s', { categories: [a] });
    await append(`${a}-1`, 'Private');
    await reader.eventsUntil('s', 1);
    await guest.subscribe('fence');
    expect(guest.events('s')).toEqual([]);
  });

  it('closes the socket with 4001 within seconds once its session ends (logout)', async () => {
    const login = await http.login(operator.user.email);
    const socket = await connect({ bearer: login.accessToken });
    await socket.subscribe('s');
    await expectJson(await http.post('/auth/logout', { refreshToken: login.refreshToken }), 204);
    expect(await socket.closed).toEqual({ code: 4001, reason: 'session_ended' });
  });

  it('closes the socket of a user who is disabled with 4001, and sends them nothing from that position on', async () => {
    const admin = await http.signup();
    const email = uniqueEmail('member');
    const invitation = await expectJson<{ token: string }>(await http.post('/api/invitations', { email, role: 'member' }, { bearer: admin.accessToken }), 201);
    const member = await http.signup({ email, invitationToken: invitation.token });
    const socket = await connect({ bearer: member.accessToken });
    await socket.subscribe('everything');
    const disabled = await expectJson<{ position: string }>(await http.post(`/api/users/${member.user.id}/disable`, {}, { bearer: admin.accessToken }), 200);
    expect(await socket.closed).toEqual({ code: 4001, reason: 'session_ended' });
    expect(socket.events('everything').filter((event) => BigInt(event.position) >= BigInt(disabled.position))).toEqual([]);
  });

  it('closes the socket with 4001 token_expired once its access token expires', async () => {
    const login = await http.login(operator.user.email);
    const socket = await connect({ bearer: login.accessToken });
    await socket.subscribe('s');
    clockOffsetMs = (login.expiresIn + 1) * 1000;
    try {
      expect(await socket.closed).toEqual({ code: 4001, reason: 'token_expired' });
    } finally {
      clockOffsetMs = 0;
    }
  });
});
