import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { EventStore } from '../../infra/event-store/event-store.js';
import { PostgresEventStore } from '../../infra/event-store/postgres/postgres-event-store.js';
import { createLogger } from '../../infra/logging/logger.js';
import { GENEROUS_LIMITS_ENV, HttpClient, type AuthAnswer } from '../support/auth-http.js';
import { newEvent } from '../support/events.js';
import { FeedSocket } from '../support/feed-socket.js';
import { OwnPostgres } from '../support/own-postgres.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

/**
 * The event log on a PostgreSQL of the test's own, stopped and started again
 * under the feed; the read side stays on the shared test server.
 */
let logServer: OwnPostgres;
let store: EventStore;
let app: TestApp;
let operator: AuthAnswer;
const sockets: FeedSocket[] = [];

beforeAll(async () => {
  logServer = await OwnPostgres.start();
  app = await startTestApp({
    env: GENEROUS_LIMITS_ENV,
    eventStore: async () => (store = await PostgresEventStore.connect({ connectionString: logServer.url, logger: createLogger('silent'), pollIntervalMs: 100, appendTimeoutMs: 2_000, connectTimeoutMs: 2_000 })),
  });
  operator = await new HttpClient(app.url).signup();
}, 60_000);

afterAll(async () => {
  for (const socket of sockets) socket.terminate();
  await app?.stop();
  await store?.close();
  await logServer?.destroy();
}, 60_000);

async function connect(): Promise<FeedSocket> {
  const socket = await FeedSocket.open(app.url, { bearer: operator.accessToken });
  sockets.push(socket);
  return socket;
}

async function append(stream: string, n: number): Promise<string> {
  return String((await store.appendToStream(stream, [newEvent('Counted', { n })])).position);
}

describe('GET /feed through an outage of the event store', () => {
  it('pauses while the store is down and resumes without a gap or a duplicate, live and catching up', async () => {
    const category = `outage${randomUUID().slice(0, 8)}`;
    // Connected before: authenticating a new socket needs the store (503 meanwhile).
    const [live, catchingUp] = [await connect(), await connect()];
    await live.subscribe('s', { categories: [category] });
    const before = [await append(`${category}-1`, 0), await append(`${category}-1`, 1)];
    await live.eventsUntil('s', 2);

    await logServer.stop('fast');
    // Subscribes during the outage: its catch-up waits for the store too.
    catchingUp.send({ type: 'subscribe', id: 's', filter: { categories: [category] }, from: 'start' });
    await catchingUp.until((message) => message.type === 'subscribed');
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(live.ws.readyState).toBe(live.ws.OPEN);
    await logServer.restart();

    const after = [await append(`${category}-2`, 2), await append(`${category}-1`, 3)];
    for (const socket of [live, catchingUp]) {
      const events = await socket.eventsUntil('s', 4, 20_000);
      expect(events.map((event) => event.position)).toEqual([...before, ...after]);
    }
    expect(catchingUp.messages.filter((message) => message.type === 'error')).toEqual([]);
    // Its caught-up (the log's head read at the subscribe, during the outage, then passed by the hub) came after the events committed before it.
    const caughtUp = catchingUp.messages.indexOf(await catchingUp.until((message) => message.type === 'caught-up'));
    expect(caughtUp).toBeGreaterThan(catchingUp.messages.findIndex((message) => message.type === 'event' && message.position === before[1]));
  });
});

describe('GET /feed at shutdown', () => {
  it('closes every socket with 1001 (going away), and the process stops', async () => {
    const clients = [await connect(), await connect()];
    for (const client of clients) await client.subscribe('s');
    await app.runtime.stop();
    for (const client of clients) expect((await client.closed).code).toBe(1001);
  });
});
