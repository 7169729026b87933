import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { GENEROUS_LIMITS_ENV, HttpClient, type AuthAnswer } from '../support/auth-http.js';
import { newEvent } from '../support/events.js';
import { FeedSocket } from '../support/feed-socket.js';
import { scrapeSample } from '../support/prometheus-text.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

let app: TestApp;
let operator: AuthAnswer;
const open: FeedSocket[] = [];

beforeAll(async () => {
  app = await startTestApp({ env: { ...GENEROUS_LIMITS_ENV, FEED_HEARTBEAT_MS: '150' } });
  operator = await new HttpClient(app.url).signup();
}, 30_000);

afterAll(async () => {
  for (const socket of open) socket.terminate();
  await app?.stop();
}, 30_000);

describe('GET /feed heartbeat', () => {
  it('pings every FEED_HEARTBEAT_MS and cuts off a socket that left a ping unanswered; one that answers stays and keeps receiving', async () => {
    const category = `beat${randomUUID().slice(0, 8)}`;
    const timeoutsBefore = await scrapeSample(app.url, 'chronicle_feed_disconnects_total', { transport: 'websocket', reason: 'heartbeat_timeout' });
    const silent = await FeedSocket.open(app.url, { bearer: operator.accessToken, autoPong: false });
    const answering = await FeedSocket.open(app.url, { bearer: operator.accessToken });
    open.push(silent, answering);
    let pings = 0;
    const threePings = new Promise<void>((resolve) => answering.ws.on('ping', () => ++pings >= 3 && resolve()));
    await answering.subscribe('s', { categories: [category] });

    // Cut off without a close frame: the server takes the peer for dead.
    expect((await silent.closed).code).toBe(1006);
    // The silent socket saw the same pings: the answering one has lived through at least one beat that would have cut it off.
    await threePings;
    const { position } = await app.services.eventStore.appendToStream(`${category}-1`, [newEvent('StillThere')]);
    expect((await answering.eventsUntil('s', 1)).map((event) => event.position)).toEqual([String(position)]);
    expect(answering.ws.readyState).toBe(answering.ws.OPEN);
    expect(await scrapeSample(app.url, 'chronicle_feed_disconnects_total', { transport: 'websocket', reason: 'heartbeat_timeout' })).toBe(timeoutsBefore + 1);
  });
});
