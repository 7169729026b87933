import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { expectError, expectJson, GENEROUS_LIMITS_ENV, HttpClient, type AuthAnswer } from '../support/auth-http.js';
import { givenPost, givenPostDeleted, inviteMember, type CollectionAnswer } from '../support/collection-http.js';
import type { Page } from '../support/content-http.js';
import { eventually } from '../support/projection-harness.js';
import { readModelsBuilt } from '../support/read-models.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

interface HistoryEntry {
  revision: string;
  type: string;
  occurredAt: string;
  actor: { type: string; id: string } | null;
  causationId: string | null;
  reason?: string;
  changes: Array<{ path: string; before?: unknown; after?: unknown }>;
}

let app: TestApp;
let http: HttpClient;
let admin: AuthAnswer;
let owner: AuthAnswer;
let viewer: AuthAnswer;
let colleague: AuthAnswer;
let stranger: AuthAnswer;

beforeAll(async () => {
  app = await startTestApp({ role: 'start', env: GENEROUS_LIMITS_ENV });
  await readModelsBuilt(app);
  http = new HttpClient(app.url);
  admin = await http.signup();
  [owner, viewer, colleague] = [await inviteMember(http, admin), await inviteMember(http, admin), await inviteMember(http, admin)];
  stranger = await http.signup();
}, 60_000);
afterAll(async () => app?.stop());

const bearer = (who: AuthAnswer | undefined) => (who ? { bearer: who.accessToken } : {});
const nextMillisecond = () => new Promise((resolve) => setTimeout(resolve, 3));
const between = (earlier: string, later: string) => new Date((Date.parse(earlier) + Date.parse(later)) / 2).toISOString();

async function command(method: string, path: string, body?: unknown): Promise<CollectionAnswer> {
  const answer = await expectJson<CollectionAnswer>(await http.call(method, path, { ...bearer(owner), ...(body === undefined ? {} : { body }) }), 200);
  await nextMillisecond();
  return answer;
}
const history = async (id: string, who?: AuthAnswer) => (await expectJson<Page<HistoryEntry>>(await http.get(`/api/collections/${id}/history`, bearer(who)), 200)).items;
const asOf = (id: string, point: string, who?: AuthAnswer) => http.get(`/api/collections/${id}?asOf=${encodeURIComponent(point)}`, bearer(who));
/** Undefined `who` is a guest, so no default. */
const viewAsOf = async (id: string, point: string, who: AuthAnswer | undefined) => expectJson<CollectionAnswer>(await asOf(id, point, who), 200);

describe('a collection’s posts and members over time', () => {
  /** 0 created (private); 1 post A added; 2 post B added; 3 viewer shared; 4 A taken out; 5 renamed and made public (5, 6). */
  let collectionId: string;
  let postA: string;
  let postB: string;
  let entries: HistoryEntry[];

  beforeAll(async () => {
    [postA, postB] = [await givenPost(app.services.eventStore, owner), await givenPost(app.services.eventStore, owner)];
    const created = await expectJson<CollectionAnswer>(await http.post('/api/collections', { name: 'Reading list' }, bearer(owner)), 201);
    collectionId = created.id;
    await nextMillisecond();
    await command('POST', `/api/collections/${collectionId}/posts`, { postId: postA });
    await command('POST', `/api/collections/${collectionId}/posts`, { postId: postB });
    await command('POST', `/api/collections/${collectionId}/members`, { userId: viewer.user.id, role: 'viewer' });
    await command('DELETE', `/api/collections/${collectionId}/posts/${postA}`);
    await command('PUT', `/api/collections/${collectionId}`, { name: 'Read', visibility: 'public' });
    entries = await history(collectionId, owner);
  });

  it('shows its posts and members as they were at each revision', async () => {
    const at = async (revision: string) => {
      const view = await viewAsOf(collectionId, revision, owner);
      expect(view.revision).toBe(revision);
      return [view.name, view.visibility, view.postIds, view.members];
    };
    expect(await at('0')).toEqual(['Reading list', 'private', [], []]);
    expect(await at('1')).toEqual(['Reading list', 'private', [postA], []]);
    expect(await at('2')).toEqual(['Reading list', 'private', [postA, postB], []]);
    expect(await at('3')).toEqual(['Reading list', 'private', [postA, postB], [{ userId: viewer.user.id, role: 'viewer' }]]);
    expect(await at('4')).toEqual(['Reading list', 'private', [postB], [{ userId: viewer.user.id, role: 'viewer' }]]);
    expect(await at('6')).toEqual(['Read', 'public', [postB], [{ userId: viewer.user.id, role: 'viewer' }]]);
    await expectError(await asOf(collectionId, '7', owner), 404, 'revision_not_found');
  });

  it('and as they were at a time: between two events, before the first', async () => {
    expect((await viewAsOf(collectionId, between(entries[1]!.occurredAt, entries[2]!.occurredAt), owner)).postIds).toEqual([postA]);
    expect((await viewAsOf(collectionId, between(entries[4]!.occurredAt, entries[5]!.occurredAt), owner)).postIds).toEqual([postB]);
    await expectError(await asOf(collectionId, new Date(Date.parse(entries[0]!.occurredAt) - 1).toISOString(), owner), 404, 'not_yet_created');
  });

  it('lists each change field by field, with who and why', () => {
    expect(entries.map((entry) => [entry.revision, entry.type])).toEqual([
      ['0', 'CollectionCreated'],
      ['1', 'PostAddedToCollection'],
      ['2', 'PostAddedToCollection'],
      ['3', 'CollectionMemberAdded'],
      ['4', 'PostRemovedFromCollection'],
      ['5', 'CollectionRenamed'],
      ['6', 'CollectionVisibilityChanged'],
    ]);
    expect(entries.every((entry) => entry.actor?.id === owner.user.id)).toBe(true);
    expect(entries[1]!.changes).toEqual([{ path: '/postIds', before: [], after: [postA] }]);
    expect(entries[3]!.changes).toEqual([{ path: `/members/${viewer.user.id}`, after: 'viewer' }]);
    expect(entries[4]).toMatchObject({ reason: 'removed', changes: [{ path: '/postIds', before: [postA, postB], after: [postB] }] });
    expect(entries[5]!.changes).toEqual([{ path: '/name', before: 'Reading list', after: 'Read' }]);
    expect(entries[1]).not.toHaveProperty('reason');
  });

  it('is public now, so guests and other tenants see its past, but not its members nor who changed it', async () => {
    for (const who of [undefined, stranger]) {
      const seen = await history(collectionId, who);
      expect(seen.map((entry) => entry.revision)).toEqual(['0', '1', '2', '3', '4', '5', '6']);
      expect(seen.every((entry) => entry.actor === null)).toBe(true);
      expect(seen[3]!.changes).toEqual([]);
      expect(JSON.stringify(seen)).not.toContain(viewer.user.id);
      // Private then, readable now: the past of what one may read now is readable.
      const then = await viewAsOf(collectionId, '3', who);
      expect(then).toMatchObject({ visibility: 'private', postIds: [postA, postB] });
      expect(then).not.toHaveProperty('members');
    }
  });

  it('records why a post left it when the post was deleted: the system took it out, reason post_deleted', async () => {
    const deletionEventId = await givenPostDeleted(app.services.eventStore, owner, postB);
    let last: HistoryEntry | undefined;
    await eventually('the deleted post leaves the collection', async () => {
      last = (await history(collectionId, owner)).at(-1);
      return last?.type === 'PostRemovedFromCollection' && last.revision === '7';
    });
    expect(last).toMatchObject({ reason: 'post_deleted', actor: { type: 'system' }, changes: [{ path: '/postIds', before: [postB], after: [] }] });
    expect(last!.causationId).toBe(deletionEventId);
  });
});

describe('a deleted collection', () => {
  it('shows its past to its owner and the admins of its tenant, 410 collection_deleted from its deletion on, 404 to anyone else', async () => {
    const created = await expectJson<CollectionAnswer>(await http.post('/api/collections', { name: 'Short-lived', visibility: 'public' }, bearer(owner)), 201);
    await expectJson(await http.post(`/api/collections/${created.id}/members`, { userId: viewer.user.id, role: 'viewer' }, bearer(owner)), 200);
    await expectJson(await http.delete(`/api/collections/${created.id}`, bearer(owner)), 200);

    for (const who of [owner, admin]) {
      expect((await history(created.id, who)).map((entry) => entry.type)).toEqual(['CollectionCreated', 'CollectionMemberAdded', 'CollectionDeleted']);
      expect(await viewAsOf(created.id, '1', who)).toMatchObject({ name: 'Short-lived', members: [{ userId: viewer.user.id, role: 'viewer' }] });
      const gone = await expectError(await asOf(created.id, '2', who), 410, 'collection_deleted');
      expect(gone.details).toEqual([expect.objectContaining({ deletedAtRevision: '2' })]);
    }
    // A member then, a public collection then: neither gives its past once it is gone.
    for (const who of [viewer, colleague, stranger, undefined]) {
      await expectError(await http.get(`/api/collections/${created.id}/history`, bearer(who)), 404, 'collection_not_found');
      await expectError(await asOf(created.id, '0', who), 404, 'collection_not_found');
    }
  });
});

describe('a private collection', () => {
  it('shows its past to its members and its tenant’s admins; other tenants, guests and colleagues outside it get 404', async () => {
    const created = await expectJson<CollectionAnswer>(await http.post('/api/collections', { name: 'Private' }, bearer(owner)), 201);
    await expectJson(await http.post(`/api/collections/${created.id}/members`, { userId: viewer.user.id, role: 'viewer' }, bearer(owner)), 200);
    for (const who of [viewer, admin]) expect(await history(created.id, who)).toHaveLength(2);
    for (const who of [colleague, stranger, undefined]) {
      await expectError(await http.get(`/api/collections/${created.id}/history`, bearer(who)), 404, 'collection_not_found');
      await expectError(await asOf(created.id, '0', who), 404, 'collection_not_found');
    }
  });
});
