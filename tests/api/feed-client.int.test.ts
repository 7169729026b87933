import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import WebSocket from 'ws';
import { FeedClient, type FeedClientOptions, type FeedEvent } from '../../feed-client/index.js';
import { GENEROUS_LIMITS_ENV, HttpClient, expectJson, type AuthAnswer } from '../support/auth-http.js';
import { newEvent } from '../support/events.js';
import { TcpProxy } from '../support/tcp-proxy.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

let app: TestApp;
let http: HttpClient;
let operator: AuthAnswer;
let proxy: TcpProxy;
const clients: FeedClient[] = [];

beforeAll(async () => {
  app = await startTestApp({ env: { ...GENEROUS_LIMITS_ENV, FEED_AUTH_RECHECK_MS: '200' } });
  http = new HttpClient(app.url);
  operator = await http.signup();
  proxy = await TcpProxy.start(Number(new URL(app.url).port));
}, 30_000);

afterAll(async () => {
  for (const client of clients) client.close();
  await proxy?.close();
  await app?.stop();
}, 30_000);

/** Every message the clients send, to see where each subscribe asked to start. */
const sent: Array<{ type: string; id?: string; from?: string }> = [];
class RecordingWebSocket extends WebSocket {
  override send(data: string): void {
    sent.push(JSON.parse(data) as { type: string });
    super.send(data);
  }
}

function client(options: Omit<FeedClientOptions, 'WebSocket'>): FeedClient {
  const created = new FeedClient({ WebSocket: RecordingWebSocket, backoff: { initialMs: 20, maxMs: 200 }, ...options });
  clients.push(created);
  return created;
}

/** Writers appending one event at a time to a few streams of `category`, until stopped. */
function startWriters(category: string, writers: number): { stop(): Promise<void> } {
  let stopped = false;
  const loops = Array.from({ length: writers }, async (_, writer) => {
    for (let n = 0; !stopped; n++) await app.services.eventStore.appendToStream(`${category}-w${writer}`, [newEvent(n % 3 === 0 ? 'Third' : 'Written', { writer, n })]);
  });
  return {
    async stop() {
      stopped = true;
      await Promise.all(loops);
    },
  };
}

/** One wait at a time for a condition that events make true: `check` at each event, `for` to wait (fails after `timeoutMs`). */
class Waiter {
  private pending: { condition: () => boolean; resolve: () => void } | undefined;

  check(): void {
    if (this.pending?.condition()) this.pending.resolve();
  }

  async for(condition: () => boolean, what: () => string, timeoutMs = 15_000): Promise<void> {
    if (condition()) return;
    let timer: NodeJS.Timeout | undefined;
    // Also re-checked on a timer: some conditions (a close seen) are not events.
    const poll = setInterval(() => this.check(), 20);
    try {
      await new Promise<void>((resolve, reject) => {
        this.pending = { condition, resolve };
        timer = setTimeout(() => reject(new Error(`not within ${timeoutMs} ms: ${what()}`)), timeoutMs);
      });
    } finally {
      this.pending = undefined;
      clearTimeout(timer);
      clearInterval(poll);
    }
  }
}

const logOf = async (category: string, eventType?: string) =>
  (await app.services.eventStore.readAll({ filter: { streamPrefixes: [`${category}-`], ...(eventType ? { eventTypes: [eventType] } : {}) } })).map((event) => String(event.position));

describe('feed client (chronicle/feed-client)', () => {
  it('reconnects after its connection is cut, asking for the token again, and resumes every subscription with no gap and no duplicate while writers append', async () => {
    const category = `client${randomUUID().slice(0, 8)}`;
    for (let n = 0; n < 20; n++) await app.services.eventStore.appendToStream(`${category}-old`, [newEvent('Third', { n })]);
    let tokensAsked = 0;
    const all: FeedEvent[] = [];
    const thirds: FeedEvent[] = [];
    const waiter = new Waiter();
    const feed = client({ url: proxy.url(app.url), token: () => (tokensAsked++, operator.accessToken) });
    const whole = feed.subscribe({ filter: { categories: [category] }, from: 'start', onEvent: (event) => (all.push(event), waiter.check()) });
    feed.subscribe({ filter: { categories: [category], eventTypes: ['Third'] }, from: 'start', onEvent: (event) => thirds.push(event) });
    const writers = startWriters(category, 3);
    try {
      // Cut during the replay, then live, then again: each time the client comes back through the proxy.
      // Each cut waits for the client to be back (its subscribe sent again), or it would cut nothing.
      const subscribes = () => sent.filter((message) => message.type === 'subscribe' && message.id === whole.id).length;
      for (const [cuts, count] of [40, 120, 200].entries()) {
        await waiter.for(() => all.length >= count && subscribes() > cuts, () => `${all.length} of ${count} events, ${subscribes()} subscribes after ${cuts} cuts`);
        proxy.cut();
      }
      await waiter.for(() => all.length >= 260, () => `${all.length} of 260 events`);
    } finally {
      await writers.stop();
    }
    const log = await logOf(category);
    const thirdsLog = await logOf(category, 'Third');
    await waiter.for(() => all.length >= log.length && thirds.length >= thirdsLog.length, () => `${all.length} of ${log.length}, ${thirds.length} of ${thirdsLog.length}`);
    expect(all.map((event) => event.position)).toEqual(log);
    expect(thirds.map((event) => event.position)).toEqual(thirdsLog);
    expect(tokensAsked).toBeGreaterThanOrEqual(4);
    // Each reconnect asked to start after the last position received, not from the start again.
    const froms = sent.filter((message) => message.type === 'subscribe' && message.id === whole.id).map((message) => message.from!);
    expect(froms.length).toBeGreaterThanOrEqual(4);
    expect(froms[0]).toBe('start');
    for (const [index, from] of froms.slice(1).entries()) {
      expect(from).toMatch(/^\d+$/);
      if (index > 0) expect(BigInt(from)).toBeGreaterThanOrEqual(BigInt(froms[index]!));
    }
    expect(feed.state).toBe('open');
  });

  it('after a 4001 (the session ended) connects again with the token the function gives now, and misses nothing meanwhile', async () => {
    const category = `relogin${randomUUID().slice(0, 8)}`;
    const first = await http.login(operator.user.email);
    let current = first.accessToken;
    const received: string[] = [];
    const closes: Array<number | undefined> = [];
    const waiter = new Waiter();
    const feed = client({ url: app.url, token: () => current, onError: (error) => closes.push(error.closeCode) });
    const caughtUp = new Promise<void>((resolve) => feed.subscribe({ filter: { categories: [category] }, onEvent: (event) => (received.push(event.position), waiter.check()), onCaughtUp: () => resolve() }));
    await caughtUp;
    const append = async (n: number) => String((await app.services.eventStore.appendToStream(`${category}-1`, [newEvent('Written', { n })])).position);
    const written = [await append(0)];
    await waiter.for(() => received.length >= 1, () => `${received.length} events`);

    const second = await http.login(operator.user.email);
    await expectJson(await http.post('/auth/logout', { refreshToken: first.refreshToken }), 204);
    // Appended while the client is being thrown out.
    for (let n = 1; n < 4; n++) written.push(await append(n));
    current = second.accessToken;
    await waiter.for(() => closes.includes(4001) && received.length >= 4, () => `closes ${JSON.stringify(closes)}, ${received.length} events`);
    written.push(await append(4));
    await waiter.for(() => received.length >= 5, () => `${received.length} events`);
    expect(received).toEqual(written);
  });
});
