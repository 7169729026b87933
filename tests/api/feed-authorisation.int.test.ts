import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { expectJson, GENEROUS_LIMITS_ENV, HttpClient, type AuthAnswer } from '../support/auth-http.js';
import { inviteMember, type CollectionAnswer } from '../support/collection-http.js';
import { uniqueEmail } from '../support/identity-harness.js';
import type { PostAnswer } from '../support/content-http.js';
import { FeedSocket, type FeedEventMessage } from '../support/feed-socket.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

/*
 * The feed's authorisation end to end, beside feed-rights.int.test.ts (a
 * collection's own events) and feed-live.int.test.ts (logout, disabled):
 * posts read through the collections that hold them, a resume that decides
 * on the rights now, an API key. Real `ws` clients on a listening server.
 * Each "nothing after p" is closed by a marker the reader may read, appended
 * last: the feed delivers in log order, so once the marker arrived every
 * event before it was decided.
 */

let app: TestApp;
let http: HttpClient;
let owner: AuthAnswer;
const open: FeedSocket[] = [];

beforeAll(async () => {
  app = await startTestApp({ env: { ...GENEROUS_LIMITS_ENV, FEED_AUTH_RECHECK_MS: '200' } });
  http = new HttpClient(app.url);
  await http.signup(); // the installation's operator (reads everything), out of the way
  owner = await http.signup(); // the admin of a tenant of their own
}, 60_000);

afterAll(async () => {
  for (const socket of open) socket.terminate();
  await app?.stop();
});

async function connect(who?: AuthAnswer): Promise<FeedSocket> {
  const socket = await FeedSocket.open(app.url, who ? { bearer: who.accessToken } : {});
  open.push(socket);
  return socket;
}

const bearer = (who: AuthAnswer) => ({ bearer: who.accessToken });

async function createCollection(visibility: 'public' | 'private', name = 'Reading list'): Promise<CollectionAnswer> {
  return expectJson<CollectionAnswer>(await http.post('/api/collections', { name, visibility }, bearer(owner)), 201);
}

async function collectionChange(method: 'PUT' | 'POST' | 'DELETE', path: string, body?: unknown): Promise<bigint> {
  const answer = await expectJson<CollectionAnswer>(await http.call(method, path, { ...bearer(owner), ...(body === undefined ? {} : { body }) }), 200);
  return BigInt(answer.position!);
}

async function createPost(visibility: 'public' | 'private'): Promise<PostAnswer> {
  return expectJson<PostAnswer>(await http.post('/api/posts', { title: 'A title', body: 'A body', visibility }, bearer(owner)), 201);
}

async function updatePost(post: PostAnswer): Promise<bigint> {
  const answer = await expectJson<PostAnswer>(await http.call('PUT', `/api/posts/${post.id}`, { ...bearer(owner), body: { title: 'Changed', body: 'Changed body' } }), 200);
  return BigInt(answer.position!);
}

/** The events of `subscription` once the marker's stream arrived, and the positions among them at or after `p`. */
async function receivedThrough(socket: FeedSocket, subscription: string, markerStream: string, p: bigint): Promise<{ events: FeedEventMessage[]; fromP: string[] }> {
  await socket.until((message) => message.type === 'event' && message.subscription === subscription && message.stream === markerStream);
  const events = socket.events(subscription);
  return { events, fromP: events.filter((event) => BigInt(event.position) >= p).map((event) => event.stream) };
}

describe('live feed authorisation through collections, on resume, for API keys', () => {
  it('a member removed from a collection at p receives no event of it, nor of its posts, from p on', async () => {
    const member = await inviteMember(http, owner);
    const collection = await createCollection('private');
    await collectionChange('POST', `/api/collections/${collection.id}/members`, { userId: member.user.id, role: 'viewer' });
    const post = await createPost('private');
    await collectionChange('POST', `/api/collections/${collection.id}/posts`, { postId: post.id });
    const socket = await connect(member);
    await socket.subscribe('s', { categories: ['collection', 'post'] });

    const readable = await updatePost(post);
    await socket.until((message) => message.type === 'event' && BigInt(message.position) === readable);
    const p = await collectionChange('DELETE', `/api/collections/${collection.id}/members/${member.user.id}`);
    await updatePost(post);
    await collectionChange('PUT', `/api/collections/${collection.id}`, { name: 'Renamed' });
    const marker = await createPost('public');

    const { fromP } = await receivedThrough(socket, 's', `post-${marker.id}`, p);
    expect(fromP).toEqual([`post-${marker.id}`]);
  });

  it('a collection made private at p stops reaching a guest at p, its posts with it', async () => {
    const collection = await createCollection('public');
    const post = await createPost('private');
    await collectionChange('POST', `/api/collections/${collection.id}/posts`, { postId: post.id });
    const guest = await connect();
    await guest.subscribe('g', { categories: ['collection', 'post'] });

    const readable = await updatePost(post);
    await guest.until((message) => message.type === 'event' && BigInt(message.position) === readable);
    const p = await collectionChange('PUT', `/api/collections/${collection.id}`, { visibility: 'private' });
    await updatePost(post);
    await collectionChange('PUT', `/api/collections/${collection.id}`, { name: 'Renamed' });
    const marker = await createCollection('public', 'Marker');

    const { fromP } = await receivedThrough(guest, 'g', `collection-${marker.id}`, p);
    expect(fromP).toEqual([`collection-${marker.id}`]);
  });

  it('a resume replays only what the reader may read now', async () => {
    const [removed, kept] = [await inviteMember(http, owner), await inviteMember(http, owner)];
    const collection = await createCollection('private');
    const from = BigInt(collection.position!);
    for (const who of [removed, kept]) await collectionChange('POST', `/api/collections/${collection.id}/members`, { userId: who.user.id, role: 'viewer' });
    await collectionChange('PUT', `/api/collections/${collection.id}`, { name: 'Renamed while both were members' });
    await collectionChange('DELETE', `/api/collections/${collection.id}/members/${removed.user.id}`);
    const marker = await createPost('public');

    const [removedSocket, keptSocket] = [await connect(removed), await connect(kept)];
    await removedSocket.subscribe('r', { categories: ['collection', 'post'] }, String(from));
    await keptSocket.subscribe('k', { categories: ['collection', 'post'] }, String(from));

    const stream = `collection-${collection.id}`;
    const removedGot = (await receivedThrough(removedSocket, 'r', `post-${marker.id}`, from)).events;
    const keptGot = (await receivedThrough(keptSocket, 'k', `post-${marker.id}`, from)).events;
    expect(removedGot.filter((event) => event.stream === stream)).toEqual([]);
    // The one still a member is replayed all of them: both additions, the rename, the other's removal.
    expect(keptGot.filter((event) => event.stream === stream).map((event) => event.eventType)).toEqual([
      'CollectionMemberAdded',
      'CollectionMemberAdded',
      'CollectionRenamed',
      'CollectionMemberRemoved',
    ]);
  });

  it('an API key reads what a guest reads: public posts, not its tenant’s private ones', async () => {
    const issued = await expectJson<{ key: string }>(await http.post('/api/api-keys', { name: 'feed reader' }, bearer(owner)), 201);
    const socket = await FeedSocket.open(app.url, { bearer: issued.key });
    open.push(socket);
    await socket.subscribe('k', { categories: ['post'] });
    const hidden = await createPost('private');
    const marker = await createPost('public');
    const { events } = await receivedThrough(socket, 'k', `post-${marker.id}`, 0n);
    expect(events.map((event) => event.stream)).toEqual([`post-${marker.id}`]);
    expect(events.some((event) => event.stream === `post-${hidden.id}`)).toBe(false);
  });

  it('closes the socket of an API key revoked, or whose issuer is disabled, with 4001 within seconds', async () => {
    const email = uniqueEmail('admin');
    const invitation = await expectJson<{ token: string }>(await http.post('/api/invitations', { email, role: 'admin' }, bearer(owner)), 201);
    const issuer = await http.signup({ email, invitationToken: invitation.token });
    const issue = async (by: AuthAnswer) => expectJson<{ id: string; key: string }>(await http.post('/api/api-keys', { name: 'feed reader' }, bearer(by)), 201);
    const [revoked, ofDisabled] = [await issue(owner), await issue(issuer)];
    const sockets = await Promise.all([revoked, ofDisabled].map(async (issued) => {
      const socket = await FeedSocket.open(app.url, { bearer: issued.key });
      open.push(socket);
      await socket.subscribe('k', { categories: ['post'] });
      return socket;
    }));

    await expectJson(await http.delete(`/api/api-keys/${revoked.id}`, bearer(owner)), 204);
    expect(await closedWithin(sockets[0]!, 10_000)).toEqual({ code: 4001, reason: 'api_key_revoked' });
    await expectJson(await http.post(`/api/users/${issuer.user.id}/disable`, {}, bearer(owner)), 200);
    expect(await closedWithin(sockets[1]!, 10_000)).toEqual({ code: 4001, reason: 'api_key_revoked' });
  });
});

/** The close, or a failure when it does not come in time. */
async function closedWithin(socket: FeedSocket, timeoutMs: number): Promise<{ code: number; reason: string }> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`still open after ${timeoutMs} ms`)), timeoutMs)));
  try {
    return await Promise.race([socket.closed, late]);
  } finally {
    clearTimeout(timer);
  }
}
