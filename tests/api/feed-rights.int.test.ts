import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { GENEROUS_LIMITS_ENV, HttpClient, expectJson, type AuthAnswer } from '../support/auth-http.js';
import { inviteMember, type CollectionAnswer } from '../support/collection-http.js';
import { FeedSocket, type FeedEventMessage } from '../support/feed-socket.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

/**
 * The feed decides each event on the rights as of that event (the model is
 * projections/feed-rights, unit-tested there): here, through real sockets,
 * that a change of rights at position p stops delivery at p.
 */
let app: TestApp;
let http: HttpClient;
let owner: AuthAnswer;
const sockets: FeedSocket[] = [];

beforeAll(async () => {
  app = await startTestApp({ env: GENEROUS_LIMITS_ENV });
  http = new HttpClient(app.url);
  await http.signup(); // the installation's operator, so that `owner` is an ordinary tenant admin
  owner = await http.signup();
}, 30_000);

afterAll(async () => {
  for (const socket of sockets) socket.terminate();
  await app?.stop();
}, 30_000);

async function connect(bearer?: string): Promise<FeedSocket> {
  const socket = await FeedSocket.open(app.url, bearer === undefined ? {} : { bearer });
  sockets.push(socket);
  return socket;
}

async function call<T>(method: 'post' | 'put' | 'delete', path: string, body?: unknown): Promise<T> {
  const response = await http.call(method.toUpperCase(), path, { bearer: owner.accessToken, ...(body === undefined ? {} : { body }) });
  return expectJson<T>(response, method === 'post' && path === '/api/collections' ? 201 : 200);
}

const at = (events: readonly FeedEventMessage[], from: string) => events.filter((event) => BigInt(event.position) >= BigInt(from));

/** Once `watcher` has the event at `position`, a round trip on `socket` shows everything the server sent it before. */
async function settle(watcher: FeedSocket, socket: FeedSocket, position: string): Promise<void> {
  await watcher.until((message) => message.type === 'event' && message.position === position);
  await socket.subscribe(`fence-${position}`, { streams: ['nothing-here'] });
}

describe('GET /feed rights as of each event', () => {
  it('stops sending a collection made private to guests at the position it became private', async () => {
    const created = await call<CollectionAnswer>('post', '/api/collections', { name: 'Open', visibility: 'public' });
    const filter = { streams: [`collection-${created.id}`] };
    const guest = await connect();
    const watcher = await connect(owner.accessToken);
    await guest.subscribe('c', filter, 'start');
    await watcher.subscribe('c', filter, 'start');
    expect(guest.events('c').map((event) => event.eventType)).toEqual(['CollectionCreated']);

    const renamed = await call<CollectionAnswer>('put', `/api/collections/${created.id}`, { name: 'Still open' });
    const closed = await call<CollectionAnswer>('put', `/api/collections/${created.id}`, { visibility: 'private' });
    const later = await call<CollectionAnswer>('put', `/api/collections/${created.id}`, { name: 'Closed' });
    await settle(watcher, guest, later.position!);
    expect(guest.events('c').map((event) => event.position)).toContain(renamed.position);
    expect(at(guest.events('c'), closed.position!)).toEqual([]);
  });

  it('sends a member removed at p nothing from p on', async () => {
    const member = await inviteMember(http, owner);
    const created = await call<CollectionAnswer>('post', '/api/collections', { name: 'Team', visibility: 'private' });
    await call('post', `/api/collections/${created.id}/members`, { userId: member.user.id, role: 'viewer' });
    const filter = { streams: [`collection-${created.id}`] };
    const reader = await connect(member.accessToken);
    const watcher = await connect(owner.accessToken);
    await reader.subscribe('c', filter, 'start');
    await watcher.subscribe('c', filter, 'live');

    const renamed = await call<CollectionAnswer>('put', `/api/collections/${created.id}`, { name: 'Team, renamed' });
    const removed = await call<CollectionAnswer>('delete', `/api/collections/${created.id}/members/${member.user.id}`);
    const later = await call<CollectionAnswer>('put', `/api/collections/${created.id}`, { name: 'Team without them' });
    await settle(watcher, reader, later.position!);
    expect(reader.events('c').map((event) => event.position)).toContain(renamed.position);
    expect(at(reader.events('c'), removed.position!)).toEqual([]);
  });
});
