import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { GENEROUS_LIMITS_ENV, HttpClient, type AuthAnswer } from '../support/auth-http.js';
import { newEvent } from '../support/events.js';
import { FeedSocket, type OpenOptions } from '../support/feed-socket.js';
import { scrapeSample } from '../support/prometheus-text.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

let app: TestApp;
let operator: AuthAnswer;
const open: FeedSocket[] = [];

const PER_USER = 2;
const PER_ADDRESS = 4;
const SUBSCRIPTIONS = 100;

beforeAll(async () => {
  app = await startTestApp({
    env: {
      ...GENEROUS_LIMITS_ENV,
      FEED_MAX_CONNECTIONS_PER_USER: String(PER_USER),
      FEED_MAX_CONNECTIONS_PER_IP: String(PER_ADDRESS),
      FEED_MAX_BUFFERED_BYTES: String(64 * 1024),
      FEED_MAX_SUBSCRIPTIONS_PER_SOCKET: String(SUBSCRIPTIONS),
    },
  });
  operator = await new HttpClient(app.url).signup();
}, 30_000);

afterAll(async () => {
  for (const socket of open) socket.terminate();
  await app?.stop();
}, 30_000);

/**
 * Every test connects from its own address (X-Forwarded-For, believed from
 * loopback under the default TRUST_PROXY), so the per-address limit of one
 * test does not reach the next.
 */
let nextAddress = 1;
const freshAddress = () => `198.51.100.${nextAddress++}`;

async function connect(address: string, options: OpenOptions = { bearer: operator.accessToken }): Promise<FeedSocket> {
  const socket = await FeedSocket.open(app.url, { ...options, headers: { 'x-forwarded-for': address } });
  open.push(socket);
  return socket;
}

const metric = (name: string, labels: Record<string, string> = {}) => scrapeSample(app.url, name, labels);

/** Until the server has let go of the sockets it no longer counts (their places are released first). */
async function connectionsSettleAt(count: number): Promise<void> {
  for (let tries = 0; (await metric('chronicle_feed_connections', { transport: 'websocket' })) !== count; tries++) {
    if (tries > 200) throw new Error(`the server still counts ${await metric('chronicle_feed_connections', { transport: 'websocket' })} sockets, not ${count}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

async function closeAll(sockets: readonly FeedSocket[]): Promise<void> {
  await Promise.all(sockets.map((socket) => (socket.ws.readyState === socket.ws.CLOSED ? undefined : socket.close())));
}

describe('GET /feed connection limits', () => {
  it('closes a socket over FEED_MAX_CONNECTIONS_PER_USER or FEED_MAX_CONNECTIONS_PER_IP with 4009; a place frees when a socket closes', async () => {
    const [here, elsewhere, third] = [freshAddress(), freshAddress(), freshAddress()];
    const refusedBefore = await metric('chronicle_feed_disconnects_total', { transport: 'websocket', reason: 'too_many_connections' });
    const mine = [await connect(here), await connect(here)];
    for (const socket of mine) await socket.subscribe('s');

    const overUser = [await connect(here), await connect(elsewhere)];
    for (const socket of overUser) expect(await socket.closed).toEqual({ code: 4009, reason: 'too many connections' });

    // Guests count per address only: two more fill `here` (the operator holds two places of it).
    const guests = [await connect(here, {}), await connect(here, {})];
    for (const socket of guests) await socket.subscribe('s');
    const overAddress = await connect(here, {});
    expect((await overAddress.closed).code).toBe(4009);
    // Another address is another count.
    const guestElsewhere = await connect(third, {});
    await guestElsewhere.subscribe('s');
    expect(await metric('chronicle_feed_disconnects_total', { transport: 'websocket', reason: 'too_many_connections' })).toBe(refusedBefore + 3);

    const before = await metric('chronicle_feed_connections', { transport: 'websocket' });
    await mine[0]!.close();
    await connectionsSettleAt(before - 1);
    const again = await connect(here);
    await again.subscribe('s');
    await closeAll([...mine, ...guests, guestElsewhere, again]);
  });
});

describe('GET /feed subscriptions per socket', () => {
  it('answers a subscription over FEED_MAX_SUBSCRIPTIONS_PER_SOCKET with an error and keeps the socket; an unsubscribe frees a place', async () => {
    const socket = await connect(freshAddress());
    for (let n = 0; n < SUBSCRIPTIONS; n++) socket.send({ type: 'subscribe', id: `s${n}` });
    await socket.until((message) => message.type === 'caught-up' && message.subscription === `s${SUBSCRIPTIONS - 1}`);
    socket.send({ type: 'subscribe', id: 'one-more' });
    expect(await socket.until((message) => message.type === 'error')).toEqual({ type: 'error', code: 'too_many_subscriptions', message: expect.any(String), subscription: 'one-more' });
    socket.send({ type: 'unsubscribe', id: 's0' });
    await socket.subscribe('one-more');
    expect(socket.ws.readyState).toBe(socket.ws.OPEN);
    await closeAll([socket]);
  });
});

describe('GET /feed slow consumers', () => {
  it('closes a socket with more than FEED_MAX_BUFFERED_BYTES queued with 4008; the client resumes from its last position with no gap', async () => {
    const category = `slow${randomUUID().slice(0, 8)}`;
    const address = freshAddress();
    const slow = await connect(address);
    // A hundred subscriptions multiply every event by a hundred on this one socket: the kernel's buffers fill quickly.
    const ids = Array.from({ length: SUBSCRIPTIONS }, (_, n) => `s${n}`);
    for (const id of ids) await slow.subscribe(id, { categories: [category] });
    const slowBefore = await metric('chronicle_feed_disconnects_total', { transport: 'websocket', reason: 'slow_consumer' });
    const append = async (n: number, bytes: number) => String((await app.services.eventStore.appendToStream(`${category}-1`, [newEvent('Big', { n, blob: 'x'.repeat(bytes) })])).position);
    const first = await append(0, 10);
    await slow.eventsUntil('s99', 1);

    slow.ws.pause();
    const written = [first];
    for (let n = 1; n <= 3; n++) written.push(await append(n, 200_000));
    // The server dropped the socket's subscriptions when it decided to close it; the close frame waits behind what is queued.
    for (let tries = 0; (await metric('chronicle_feed_subscriptions')) > 0; tries++) {
      if (tries > 400) throw new Error('the slow socket was never closed');
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    slow.ws.resume();
    expect(await slow.closed).toEqual({ code: 4008, reason: 'slow consumer' });
    const received = slow.events('s0').map((event) => event.position);
    expect(received.length).toBeLessThan(written.length);
    expect(received).toEqual(written.slice(0, received.length));

    const resumed = await connect(address);
    resumed.send({ type: 'subscribe', id: 'r', filter: { categories: [category] }, from: received.at(-1) });
    const rest = await resumed.eventsUntil('r', written.length - received.length);
    expect([...received, ...rest.map((event) => event.position)]).toEqual(written);
    await closeAll([resumed]);
    for (let tries = 0; (await metric('chronicle_feed_disconnects_total', { transport: 'websocket', reason: 'slow_consumer' })) !== slowBefore + 1; tries++) {
      if (tries > 200) throw new Error('the slow consumer was not counted');
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  });
});

describe('GET /feed metrics', () => {
  it('counts connections, subscriptions, messages, bytes, live delivery lag and disconnects by reason on /metrics', async () => {
    const category = `metrics${randomUUID().slice(0, 8)}`;
    const websocket = { transport: 'websocket' };
    const [connections, subscriptions, messages, bytes, lagged, closedByClient, tooBig] = await Promise.all([
      metric('chronicle_feed_connections', websocket),
      metric('chronicle_feed_subscriptions'),
      metric('chronicle_feed_messages_sent_total', websocket),
      metric('chronicle_feed_bytes_sent_total', websocket),
      metric('chronicle_feed_delivery_lag_seconds_count', websocket),
      metric('chronicle_feed_disconnects_total', { ...websocket, reason: 'client_closed' }),
      metric('chronicle_feed_disconnects_total', { ...websocket, reason: 'message_too_big' }),
    ]);
    const socket = await connect(freshAddress());
    let receivedBytes = 0;
    socket.ws.on('message', (data: Buffer) => (receivedBytes += data.length));
    await socket.subscribe('a', { categories: [category] });
    await socket.subscribe('b', { categories: [category] }, 'start');
    expect(await metric('chronicle_feed_connections', websocket)).toBe(connections + 1);
    expect(await metric('chronicle_feed_subscriptions')).toBe(subscriptions + 2);

    for (let n = 0; n < 3; n++) await app.services.eventStore.appendToStream(`${category}-1`, [newEvent('Counted', { n })]);
    await socket.eventsUntil('a', 3);
    await socket.eventsUntil('b', 3);
    // Two subscribed, two caught-up, six events.
    expect(await metric('chronicle_feed_messages_sent_total', websocket)).toBe(messages + 10);
    expect(await metric('chronicle_feed_bytes_sent_total', websocket)).toBe(bytes + receivedBytes);
    expect(await metric('chronicle_feed_delivery_lag_seconds_count', websocket)).toBe(lagged + 6);

    await socket.close();
    const oversized = await connect(freshAddress());
    oversized.send('x'.repeat(70 * 1024));
    expect((await oversized.closed).code).toBe(1009);
    await connectionsSettleAt(connections);
    expect(await metric('chronicle_feed_disconnects_total', { ...websocket, reason: 'client_closed' })).toBe(closedByClient + 1);
    expect(await metric('chronicle_feed_disconnects_total', { ...websocket, reason: 'message_too_big' })).toBe(tooBig + 1);
  });
});
