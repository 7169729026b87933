import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { GENEROUS_LIMITS_ENV, HttpClient, type AuthAnswer } from '../support/auth-http.js';
import { newEvent } from '../support/events.js';
import { startFeedApiProcess, type FeedApiProcess } from '../support/feed-api-child.js';
import { FeedSocket } from '../support/feed-socket.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { killTsxChildren } from '../support/tsx-child.js';

let app: TestApp;
let second: FeedApiProcess;
let operator: AuthAnswer;
const sockets: FeedSocket[] = [];

beforeAll(async () => {
  app = await startTestApp({ env: GENEROUS_LIMITS_ENV });
  [second, operator] = await Promise.all([startFeedApiProcess(app.services.databaseUrl), new HttpClient(app.url).signup()]);
}, 60_000);

afterAll(async () => {
  for (const socket of sockets) socket.terminate();
  await second?.stop();
  await killTsxChildren();
  await app?.stop();
}, 30_000);

/** Writers appending one event at a time to a few streams of `category`, until stopped. */
function startWriters(category: string, writers: number): { stop(): Promise<void> } {
  let stopped = false;
  const loops = Array.from({ length: writers }, async (_, writer) => {
    for (let n = 0; !stopped; n++) await app.services.eventStore.appendToStream(`${category}-w${writer}`, [newEvent('Written', { writer, n })]);
  });
  return {
    async stop() {
      stopped = true;
      await Promise.all(loops);
    },
  };
}

/**
 * A client that reads some events, drops its socket without a word, and
 * resumes from the last position it received on the other process, a few
 * times over, while the writers keep appending. Answers what its dropped
 * sockets received and its last socket, still subscribed.
 */
async function resumingClient(category: string, urls: readonly string[], hops: number): Promise<{ received: string[]; last: FeedSocket }> {
  const received: string[] = [];
  for (let hop = 0; ; hop++) {
    const socket = await FeedSocket.open(urls[hop % urls.length]!, { bearer: operator.accessToken });
    sockets.push(socket);
    socket.send({ type: 'subscribe', id: 'r', filter: { categories: [category] }, from: received.at(-1) ?? 'start' });
    if (hop === hops) {
      await socket.until((message) => message.type === 'caught-up', 15_000);
      return { received, last: socket };
    }
    // Leave after a varying number of events: during the catch-up, near the seam, or live.
    await socket.eventsUntil('r', 5 + hop * 7, 15_000);
    socket.terminate();
    received.push(...socket.events('r').map((event) => event.position));
  }
}

describe('GET /feed resume', () => {
  it('delivers every event after the client position exactly once, in order, across the catch-up/live seam and across processes, while writers append', async () => {
    const category = `seam${randomUUID().slice(0, 8)}`;
    // Some history before anyone connects, so the first catch-up has something to read.
    for (let n = 0; n < 30; n++) await app.services.eventStore.appendToStream(`${category}-old`, [newEvent('Old', { n })]);
    const writers = startWriters(category, 3);
    let clients: Array<{ received: string[]; last: FeedSocket }>;
    try {
      clients = await Promise.all(Array.from({ length: 6 }, (_, client) => resumingClient(category, client % 2 === 0 ? [app.url, second.url] : [second.url, app.url], 3)));
    } finally {
      await writers.stop();
    }
    const log = (await app.services.eventStore.readAll({ filter: { streamPrefixes: [`${category}-`] } })).map((event) => String(event.position));
    expect(log.length).toBeGreaterThan(60);
    for (const { received, last } of clients) {
      await last.eventsUntil('r', log.length - received.length, 20_000);
      expect([...received, ...last.events('r').map((event) => event.position)]).toEqual(log);
    }
  });
});
