import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { expectError, expectJson, GENEROUS_LIMITS_ENV, HttpClient, type AuthAnswer } from '../support/auth-http.js';
import { givenPost, givenPostDeleted, inviteMember, type CollectionAnswer } from '../support/collection-http.js';
import { eventually } from '../support/projection-harness.js';
import { readModelsBuilt } from '../support/read-models.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

let app: TestApp;
let http: HttpClient;
let admin: AuthAnswer;
let owner: AuthAnswer;
let editor: AuthAnswer;
let viewer: AuthAnswer;
let colleague: AuthAnswer;
let stranger: AuthAnswer;

beforeAll(async () => {
  app = await startTestApp({ role: 'start', env: GENEROUS_LIMITS_ENV });
  await readModelsBuilt(app);
  http = new HttpClient(app.url);
  await http.signup(); // the installation's operator, out of the way
  admin = await http.signup();
  [owner, editor, viewer, colleague] = [await inviteMember(http, admin), await inviteMember(http, admin), await inviteMember(http, admin), await inviteMember(http, admin)];
  stranger = await http.signup();
}, 60_000);
afterAll(async () => app?.stop());

const bearer = (who: AuthAnswer | undefined) => (who ? { bearer: who.accessToken } : {});

async function create(who: AuthAnswer, body: Record<string, unknown> = { name: 'Reading list' }): Promise<CollectionAnswer> {
  return expectJson<CollectionAnswer>(await http.post('/api/collections', body, bearer(who)), 201);
}

async function get(path: string, who?: AuthAnswer, position?: string | null): Promise<Response> {
  return http.get(path, { ...bearer(who), headers: position ? { 'x-min-position': position } : {} });
}

async function share(collection: CollectionAnswer, who: AuthAnswer, role: 'editor' | 'viewer'): Promise<CollectionAnswer> {
  return expectJson<CollectionAnswer>(await http.post(`/api/collections/${collection.id}/members`, { userId: who.user.id, role }, bearer(owner)), 200);
}

async function addPost(collection: CollectionAnswer, postId: string, who: AuthAnswer = owner): Promise<Response> {
  return http.post(`/api/collections/${collection.id}/posts`, { postId }, bearer(who));
}

describe('POST /api/collections', () => {
  it('creates a private collection owned by the caller: 201, Location, ETag, revision and position', async () => {
    const response = await http.post('/api/collections', { name: '  Reading list  ' }, bearer(owner));
    const created = await expectJson<CollectionAnswer>(response, 201);
    expect(created).toMatchObject({ name: 'Reading list', visibility: 'private', ownerId: owner.user.id, tenantId: owner.user.tenantId, postIds: [], revision: '0' });
    expect(created.position).toMatch(/^\d+$/);
    expect(response.headers.get('location')).toBe(`/api/collections/${created.id}`);
    expect(response.headers.get('etag')).toBe('"0"');
    const read = await expectJson<CollectionAnswer>(await get(`/api/collections/${created.id}`, owner, created.position), 200);
    expect(read).toMatchObject({ id: created.id, name: 'Reading list', revision: '0' });
  });

  it('refuses bad input with details and appends nothing', async () => {
    const before = await app.services.eventStore.headPosition();
    await expectError(await http.post('/api/collections', { name: '' }, bearer(owner)), 422, 'validation_failed');
    await expectError(await http.post('/api/collections', { name: 'x'.repeat(101) }, bearer(owner)), 422, 'validation_failed');
    await expectError(await http.post('/api/collections', { name: 'ok', visibility: 'secret' }, bearer(owner)), 422, 'validation_failed');
    await expectError(await http.post('/api/collections', { name: 'ok', extra: 1 }, bearer(owner)), 422, 'validation_failed');
    await expectError(await http.post('/api/collections', '{"name":', bearer(owner)), 400, 'malformed_json');
    await expectError(await http.post('/api/collections', { name: 'ok' }), 401, 'unauthenticated');
    expect(await app.services.eventStore.headPosition()).toBe(before);
  });
});

describe('Idempotency-Key on POST', () => {
  it('a repeat returns the first answer and appends nothing; the same key with another body is 422', async () => {
    const headers = { 'idempotency-key': randomUUID() };
    const first = await expectJson<CollectionAnswer>(await http.post('/api/collections', { name: 'Once' }, { ...bearer(owner), headers }), 201);
    const head = await app.services.eventStore.headPosition();
    const again = await http.post('/api/collections', { name: 'Once' }, { ...bearer(owner), headers });
    expect(await expectJson<CollectionAnswer>(again, 201)).toEqual(first);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(await app.services.eventStore.headPosition()).toBe(head);
    await expectJson(await http.post('/api/collections', { name: 'Twice' }, { ...bearer(owner), headers }), 422);
    const post = await givenPost(app.services.eventStore, owner);
    const addHeaders = { 'idempotency-key': randomUUID() };
    const added = await expectJson<CollectionAnswer>(await http.post(`/api/collections/${first.id}/posts`, { postId: post }, { ...bearer(owner), headers: addHeaders }), 200);
    expect(await expectJson<CollectionAnswer>(await http.post(`/api/collections/${first.id}/posts`, { postId: post }, { ...bearer(owner), headers: addHeaders }), 200)).toEqual(added);
  });
});

describe('GET /api/collections/:id', () => {
  it('is 404 for unknown ids and for private collections of others, 400 for a malformed id', async () => {
    const collection = await create(owner);
    await expectError(await get(`/api/collections/${randomUUID()}`, owner), 404, 'collection_not_found');
    await expectError(await get(`/api/collections/${collection.id}`, colleague, collection.position), 404, 'collection_not_found');
    await expectError(await get(`/api/collections/${collection.id}`, undefined, collection.position), 404, 'collection_not_found');
    await expectError(await get('/api/collections/not-a-uuid', owner), 400, 'invalid_path');
  });

  it('shows public collections to guests and other tenants, without their members', async () => {
    const collection = await create(owner, { name: 'Open', visibility: 'public' });
    await share(collection, editor, 'editor');
    const shared = await expectJson<CollectionAnswer>(await http.call('PUT', `/api/collections/${collection.id}`, { ...bearer(owner), body: { name: 'Open list' } }), 200);
    const asGuest = await expectJson<CollectionAnswer>(await get(`/api/collections/${collection.id}`, undefined, shared.position), 200);
    expect(asGuest).toMatchObject({ name: 'Open list', visibility: 'public' });
    expect(asGuest.members).toBeUndefined();
    const asStranger = await expectJson<CollectionAnswer>(await get(`/api/collections/${collection.id}`, stranger), 200);
    expect(asStranger.members).toBeUndefined();
    const asColleague = await expectJson<CollectionAnswer>(await get(`/api/collections/${collection.id}`, colleague), 200);
    expect(asColleague.members).toEqual([{ userId: editor.user.id, role: 'editor' }]);
  });
});

describe('PUT /api/collections/:id', () => {
  it('renames and changes visibility; If-Match answers 412 when stale and applies when current', async () => {
    const collection = await create(owner);
    const renamed = await http.call('PUT', `/api/collections/${collection.id}`, { ...bearer(owner), body: { name: 'Renamed', visibility: 'public' }, headers: { 'if-match': '"0"' } });
    expect(await expectJson<CollectionAnswer>(renamed, 200)).toMatchObject({ name: 'Renamed', visibility: 'public', revision: '2' });
    expect(renamed.headers.get('etag')).toBe('"2"');
    const stale = await http.call('PUT', `/api/collections/${collection.id}`, { ...bearer(owner), body: { name: 'Again' }, headers: { 'if-match': '"0"' } });
    await expectError(stale, 412, 'precondition_failed');
    await expectError(await http.call('PUT', `/api/collections/${collection.id}`, { ...bearer(owner), body: {} }), 422, 'validation_failed');
    await expectError(await http.call('PUT', `/api/collections/${collection.id}`, { ...bearer(owner), body: { name: 'x' }, headers: { 'if-match': 'three' } }), 400, 'invalid_if_match');
    await expectError(await http.call('PUT', `/api/collections/${randomUUID()}`, { ...bearer(owner), body: { name: 'x' } }), 404, 'collection_not_found');
    // A stale If-Match tells nothing to whoever may not read the collection, nor about ids that do not exist.
    const hidden = await create(owner);
    await share(hidden, editor, 'editor');
    await expectError(await http.call('PUT', `/api/collections/${hidden.id}`, { ...bearer(colleague), body: { name: 'x' }, headers: { 'if-match': '"0"' } }), 404, 'collection_not_found');
    await expectError(await http.call('PUT', `/api/collections/${hidden.id}`, { ...bearer(editor), body: { name: 'x' }, headers: { 'if-match': '"0"' } }), 412, 'precondition_failed');
    await expectError(await http.call('PUT', `/api/collections/${randomUUID()}`, { ...bearer(owner), body: { name: 'x' }, headers: { 'if-match': '"0"' } }), 404, 'collection_not_found');
  });
});

describe('DELETE /api/collections/:id', () => {
  it('deletes; then the collection is 404 for reads and writes', async () => {
    const collection = await create(owner);
    await expectError(await http.delete(`/api/collections/${collection.id}`, { ...bearer(owner), headers: { 'if-match': '"5"' } }), 412, 'precondition_failed');
    const deleted = await expectJson<{ id: string; position: string }>(await http.delete(`/api/collections/${collection.id}`, bearer(owner)), 200);
    await expectError(await get(`/api/collections/${collection.id}`, owner, deleted.position), 404, 'collection_not_found');
    await expectError(await http.delete(`/api/collections/${collection.id}`, bearer(owner)), 404, 'collection_not_found');
  });
});

describe('posts of a collection', () => {
  it('adds posts in order, once each; moves them; removes them', async () => {
    const collection = await create(owner);
    const [a, b, c] = [await givenPost(app.services.eventStore, owner), await givenPost(app.services.eventStore, owner), await givenPost(app.services.eventStore, colleague)];
    await expectJson(await addPost(collection, a), 200);
    await expectJson(await addPost(collection, b), 200);
    const third = await expectJson<CollectionAnswer>(await addPost(collection, c), 200);
    expect(third.postIds).toEqual([a, b, c]);
    const again = await expectJson<CollectionAnswer>(await addPost(collection, a), 200);
    expect(again).toMatchObject({ postIds: [a, b, c], revision: third.revision });

    const moved = await expectJson<CollectionAnswer>(await http.call('PUT', `/api/collections/${collection.id}/posts/${c}`, { ...bearer(owner), body: { index: 0 } }), 200);
    expect(moved.postIds).toEqual([c, a, b]);
    await expectError(await http.call('PUT', `/api/collections/${collection.id}/posts/${c}`, { ...bearer(owner), body: { index: 3 } }), 422, 'index_out_of_range');
    await expectError(await http.call('PUT', `/api/collections/${collection.id}/posts/${c}`, { ...bearer(owner), body: { index: -1 } }), 422, 'validation_failed');
    await expectError(await http.call('PUT', `/api/collections/${collection.id}/posts/${randomUUID()}`, { ...bearer(owner), body: { index: 0 } }), 404, 'post_not_in_collection');

    const removed = await expectJson<CollectionAnswer>(await http.delete(`/api/collections/${collection.id}/posts/${a}`, bearer(owner)), 200);
    expect(removed.postIds).toEqual([c, b]);
    await expectError(await http.delete(`/api/collections/${collection.id}/posts/${a}`, bearer(owner)), 404, 'post_not_in_collection');
    const read = await expectJson<CollectionAnswer>(await get(`/api/collections/${collection.id}`, owner, removed.position), 200);
    expect(read.postIds).toEqual([c, b]);
  });

  it('adds only posts the caller may read, of the same tenant, that exist', async () => {
    const collection = await create(owner);
    const theirPrivate = await givenPost(app.services.eventStore, colleague, 'private');
    const otherTenant = await givenPost(app.services.eventStore, stranger, 'public');
    const deleted = await givenPost(app.services.eventStore, owner);
    await givenPostDeleted(app.services.eventStore, owner, deleted);
    await expectError(await addPost(collection, theirPrivate), 404, 'post_not_found');
    await expectError(await addPost(collection, otherTenant), 404, 'post_not_found');
    await expectError(await addPost(collection, deleted), 404, 'post_not_found');
    await expectError(await addPost(collection, randomUUID()), 404, 'post_not_found');
    await expectError(await http.post(`/api/collections/${collection.id}/posts`, { postId: 'nope' }, bearer(owner)), 422, 'validation_failed');
    // An admin of the tenant reads every post of it.
    await expectJson(await addPost(collection, theirPrivate, admin), 200);
  });

  it('a deleted post leaves every collection (the background process), with the deletion as cause', async () => {
    const post = await givenPost(app.services.eventStore, owner);
    const first = await create(owner);
    const second = await create(owner, { name: 'Second', visibility: 'public' });
    await expectJson(await addPost(first, post), 200);
    await expectJson(await addPost(second, post), 200);
    const correlationId = randomUUID();
    const deletionId = await givenPostDeleted(app.services.eventStore, owner, post, correlationId);
    const removalsOf = async () =>
      (await app.services.eventStore.readAll({ filter: { eventTypes: ['PostRemovedFromCollection'] } })).filter((event) => event.data.postId === post);
    await eventually('both collections recorded the removal', async () => (await removalsOf()).length >= 2);
    const ours = await removalsOf();
    expect(ours).toHaveLength(2);
    const last = ours.reduce((latest, event) => (event.position > latest ? event.position : latest), 0n);
    for (const collection of [first, second]) {
      expect((await expectJson<CollectionAnswer>(await get(`/api/collections/${collection.id}`, owner, String(last)), 200)).postIds).toEqual([]);
    }
    for (const event of ours) expect(event.metadata).toMatchObject({ correlationId, causationId: deletionId, actor: { type: 'system' } });
  });
});

describe('members of a collection', () => {
  it('shares with users of the tenant, changes roles and removes them', async () => {
    const collection = await create(owner);
    const shared = await share(collection, editor, 'editor');
    expect(shared.members).toEqual([{ userId: editor.user.id, role: 'editor' }]);
    const changed = await share(collection, editor, 'viewer');
    expect(changed.members).toEqual([{ userId: editor.user.id, role: 'viewer' }]);
    await expectError(await http.post(`/api/collections/${collection.id}/members`, { userId: stranger.user.id, role: 'viewer' }, bearer(owner)), 404, 'user_not_found');
    await expectError(await http.post(`/api/collections/${collection.id}/members`, { userId: randomUUID(), role: 'viewer' }, bearer(owner)), 404, 'user_not_found');
    await expectError(await http.post(`/api/collections/${collection.id}/members`, { userId: owner.user.id, role: 'viewer' }, bearer(owner)), 422, 'owner_not_a_member');
    await expectError(await http.post(`/api/collections/${collection.id}/members`, { userId: editor.user.id, role: 'admin' }, bearer(owner)), 422, 'validation_failed');
    const removed = await expectJson<CollectionAnswer>(await http.delete(`/api/collections/${collection.id}/members/${editor.user.id}`, bearer(owner)), 200);
    expect(removed.members).toEqual([]);
    await expectError(await http.delete(`/api/collections/${collection.id}/members/${editor.user.id}`, bearer(owner)), 404, 'collection_member_not_found');
  });

  it('a member may leave; then the private collection is 404 to them', async () => {
    const collection = await create(owner);
    await share(collection, viewer, 'viewer');
    const left = await expectJson<CollectionAnswer>(await http.delete(`/api/collections/${collection.id}/members/${viewer.user.id}`, bearer(viewer)), 200);
    await expectError(await get(`/api/collections/${collection.id}`, viewer, left.position), 404, 'collection_not_found');
  });
});

describe('GET /api/collections', () => {
  interface Page {
    items: CollectionAnswer[];
    nextCursor: string | null;
  }

  it('lists what the caller may read in their tenant, newest first, filtered and paginated', async () => {
    const lister = await inviteMember(http, admin);
    const mine = [await create(lister, { name: 'One' }), await create(lister, { name: 'Two', visibility: 'public' }), await create(lister, { name: 'Three' })];
    const last = mine.at(-1)!;
    const all = await expectJson<Page>(await get(`/api/collections?owner=${lister.user.id}`, lister, last.position), 200);
    expect(all.items.map((item) => item.name)).toEqual(['Three', 'Two', 'One']);
    const first = await expectJson<Page>(await get(`/api/collections?owner=${lister.user.id}&limit=2`, lister), 200);
    expect(first.items.map((item) => item.name)).toEqual(['Three', 'Two']);
    const next = await expectJson<Page>(await get(`/api/collections?owner=${lister.user.id}&limit=2&cursor=${first.nextCursor}`, lister), 200);
    expect(next).toEqual({ items: [expect.objectContaining({ name: 'One' })], nextCursor: null });
    const open = await expectJson<Page>(await get(`/api/collections?owner=${lister.user.id}&visibility=public`, colleague), 200);
    expect(open.items.map((item) => item.name)).toEqual(['Two']);
    const asColleague = await expectJson<Page>(await get(`/api/collections?owner=${lister.user.id}`, colleague), 200);
    expect(asColleague.items.map((item) => item.name)).toEqual(['Two']);
    const asAdmin = await expectJson<Page>(await get(`/api/collections?owner=${lister.user.id}`, admin), 200);
    expect(asAdmin.items).toHaveLength(3);
    const asStranger = await expectJson<Page>(await get(`/api/collections?owner=${lister.user.id}`, stranger), 200);
    expect(asStranger.items).toEqual([]);
    const asGuest = await expectJson<Page>(await get(`/api/collections?owner=${lister.user.id}`), 200);
    expect(asGuest.items.map((item) => item.name)).toEqual(['Two']);
    await expectError(await get('/api/collections?cursor=not-ours', lister), 400, 'invalid_query');
    await expectError(await get('/api/collections?limit=101', lister), 400, 'invalid_query');
    await expectError(await get('/api/collections?visibility=secret', lister), 400, 'invalid_query');
  });
});

/**
 * Every kind of caller against every collection action, on a private and a
 * public collection: each caller gets a fresh collection of `owner`, shared
 * with editor, viewer and a bystander (viewer), holding one post.
 */
describe('permission matrix', () => {
  type Caller = 'owner' | 'admin' | 'editor' | 'viewer' | 'colleague' | 'stranger' | 'guest';
  type Action = 'get' | 'update' | 'addPost' | 'movePost' | 'removePost' | 'addMember' | 'removeMember' | 'delete';
  const allowed = (status: number): Record<Action, number> => ({ get: 200, update: status, addPost: status, movePost: status, removePost: status, addMember: status, removeMember: status, delete: status });
  const privateMatrix: Record<Caller, Record<Action, number>> = {
    owner: allowed(200),
    admin: allowed(200),
    editor: { ...allowed(403), addPost: 200, movePost: 200, removePost: 200 },
    viewer: allowed(403),
    colleague: { ...allowed(404), get: 404 },
    stranger: { ...allowed(404), get: 404 },
    guest: { ...allowed(401), get: 404 },
  };
  const publicMatrix: Record<Caller, Record<Action, number>> = { ...privateMatrix, colleague: allowed(403), stranger: allowed(403), guest: allowed(401) };

  for (const visibility of ['private', 'public'] as const) {
    it(`on a ${visibility} collection`, async () => {
      const bystander = await inviteMember(http, admin);
      const callers: Record<Caller, AuthAnswer | undefined> = { owner, admin, editor, viewer, colleague, stranger, guest: undefined };
      const outcomes: Record<string, Record<string, number>> = {};
      for (const [name, who] of Object.entries(callers) as Array<[Caller, AuthAnswer | undefined]>) {
        const collection = await create(owner, { name: `Matrix ${name}`, visibility });
        await share(collection, editor, 'editor');
        await share(collection, viewer, 'viewer');
        await share(collection, bystander, 'viewer');
        const inside = await givenPost(app.services.eventStore, owner);
        const setUp = await expectJson<CollectionAnswer>(await addPost(collection, inside), 200);
        const another = await givenPost(app.services.eventStore, owner, 'public');
        const base = `/api/collections/${collection.id}`;
        const auth = bearer(who);
        const requests: Record<Action, () => Promise<Response>> = {
          get: () => get(base, who, setUp.position),
          update: () => http.call('PUT', base, { ...auth, body: { name: 'Renamed' } }),
          addPost: () => http.post(`${base}/posts`, { postId: another }, auth),
          movePost: () => http.call('PUT', `${base}/posts/${inside}`, { ...auth, body: { index: 0 } }),
          removePost: () => http.delete(`${base}/posts/${inside}`, auth),
          addMember: () => http.post(`${base}/members`, { userId: colleague.user.id, role: 'viewer' }, auth),
          removeMember: () => http.delete(`${base}/members/${bystander.user.id}`, auth),
          delete: () => http.delete(base, auth),
        };
        const statuses: Record<string, number> = {};
        for (const [action, request] of Object.entries(requests) as Array<[Action, () => Promise<Response>]>) {
          const response = await request();
          await response.text();
          statuses[action] = response.status;
        }
        outcomes[name] = statuses;
      }
      expect(outcomes).toEqual(visibility === 'private' ? privateMatrix : publicMatrix);
    }, 60_000);
  }
});
