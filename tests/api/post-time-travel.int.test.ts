import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { expectError, expectJson, GENEROUS_LIMITS_ENV, HttpClient, type AuthAnswer } from '../support/auth-http.js';
import { contentTenant, createPost, getAfter, type ContentTenant, type Page, type PostAnswer } from '../support/content-http.js';
import { readModelsBuilt } from '../support/read-models.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

interface HistoryEntry {
  revision: string;
  position: string;
  type: string;
  occurredAt: string;
  actor: { type: string; id: string } | null;
  correlationId: string | null;
  reason?: string;
  changes: Array<{ path: string; before?: unknown; after?: unknown }>;
}

let app: TestApp;
let http: HttpClient;
let tenant: ContentTenant;
let stranger: AuthAnswer;

beforeAll(async () => {
  app = await startTestApp({ role: 'start', env: GENEROUS_LIMITS_ENV });
  await readModelsBuilt(app);
  http = new HttpClient(app.url);
  tenant = await contentTenant(http);
  stranger = await http.signup();
}, 60_000);
afterAll(async () => app?.stop());

const V1_CREATED_AT = '2025-06-01T12:00:00.000Z';

/** A PostCreated as schema version 1 wrote it (no format, no visibility), long ago. */
async function appendVersion1Post(author: AuthAnswer): Promise<string> {
  const postId = randomUUID();
  const eventId = randomUUID();
  await app.services.eventStore.appendToStream(`post-${postId}`, [
    {
      id: eventId,
      type: 'PostCreated',
      data: { postId, tenantId: author.user.tenantId, authorId: author.user.id, title: 'First', body: 'Written long ago' },
      metadata: {
        eventId, correlationId: eventId, causationId: eventId, actor: { type: 'user', id: author.user.id }, tenantId: author.user.tenantId,
        requestId: null, occurredAt: V1_CREATED_AT, schemaVersion: 1,
      },
    },
  ]);
  return postId;
}

/** Two events of one stream must not share a millisecond, or no time lies between them. */
const nextMillisecond = () => new Promise((resolve) => setTimeout(resolve, 3));

function put(post: string, by: AuthAnswer, body: Record<string, unknown>) {
  return http.call('PUT', `/api/posts/${post}`, { bearer: by.accessToken, body });
}

const history = async (post: string, bearer?: string, query = '') =>
  expectJson<Page<HistoryEntry>>(await http.get(`/api/posts/${post}/history${query}`, bearer === undefined ? {} : { bearer }), 200);
const asOf = (post: string, point: string, bearer?: string) =>
  http.get(`/api/posts/${post}?asOf=${encodeURIComponent(point)}`, bearer === undefined ? {} : { bearer });
const between = (earlier: string, later: string) => new Date((Date.parse(earlier) + Date.parse(later)) / 2).toISOString();

describe('a post’s history and its state as of a revision or a time', () => {
  /** rev 0: PostCreated v1 (upcast: plain, private); 1: edited by its author; 2: made public by an admin; 3: deleted by its author. */
  let postId: string;
  let entries: HistoryEntry[];

  beforeAll(async () => {
    const { author, admin } = tenant;
    postId = await appendVersion1Post(author);
    await expectJson(await put(postId, author, { title: 'Second', body: 'Edited' }), 200);
    await nextMillisecond();
    await expectJson(await put(postId, admin, { title: 'Second', body: 'Edited', visibility: 'public' }), 200);
    await nextMillisecond();
    await expectJson(await http.delete(`/api/posts/${postId}`, { bearer: author.accessToken }), 200);
    entries = (await history(postId, author.accessToken)).items;
  });

  it('lists every revision with who, when and what changed, field by field, the v1 event upcast', () => {
    const { author, admin } = tenant;
    expect(entries.map((entry) => [entry.revision, entry.type, entry.actor?.id])).toEqual([
      ['0', 'PostCreated', author.user.id],
      ['1', 'PostUpdated', author.user.id],
      ['2', 'PostVisibilityChanged', admin.user.id],
      ['3', 'PostDeleted', author.user.id],
    ]);
    expect(entries[0]!.occurredAt).toBe(V1_CREATED_AT);
    // What version 1 did not write reads as its upcaster fills it in.
    expect(entries[0]!.changes).toEqual(
      expect.arrayContaining([
        { path: '/status', before: 'Empty', after: 'Active' },
        { path: '/title', after: 'First' },
        { path: '/format', after: 'plain' },
        { path: '/visibility', after: 'private' },
      ]),
    );
    expect(entries[1]!.changes).toEqual([
      { path: '/title', before: 'First', after: 'Second' },
      { path: '/body', before: 'Written long ago', after: 'Edited' },
    ]);
    expect(entries[2]!.changes).toEqual([{ path: '/visibility', before: 'private', after: 'public' }]);
    expect(entries[3]!.changes).toEqual(expect.arrayContaining([{ path: '/status', before: 'Active', after: 'Deleted' }, { path: '/title', before: 'Second' }]));
    expect(new Set(entries.map((entry) => entry.position)).size).toBe(4);
    expect(entries[1]!.correlationId).toEqual(expect.any(String));
  });

  it('answers the post as of each revision, with that revision as its ETag', async () => {
    const first = await asOf(postId, '0', tenant.author.accessToken);
    expect(first.headers.get('etag')).toBe('"0"');
    expect(await expectJson<PostAnswer>(first, 200)).toMatchObject({
      id: postId, title: 'First', body: 'Written long ago', format: 'plain', visibility: 'private', revision: '0', createdAt: V1_CREATED_AT, updatedAt: V1_CREATED_AT,
    });
    const second = await expectJson<PostAnswer>(await asOf(postId, '1', tenant.author.accessToken), 200);
    expect(second).toMatchObject({ title: 'Second', body: 'Edited', visibility: 'private', revision: '1', createdAt: V1_CREATED_AT, updatedAt: entries[1]!.occurredAt });
    expect(await expectJson<PostAnswer>(await asOf(postId, '2', tenant.admin.accessToken), 200)).toMatchObject({ title: 'Second', visibility: 'public', revision: '2' });
  });

  it('answers the post as of a time: at an event’s very time, between two events, with any offset', async () => {
    const byTime = async (point: string) => (await expectJson<PostAnswer>(await asOf(postId, point, tenant.author.accessToken), 200)).revision;
    expect(await byTime(V1_CREATED_AT)).toBe('0');
    expect(await byTime('2025-06-01T14:00:00+02:00')).toBe('0');
    expect(await byTime(between(V1_CREATED_AT, entries[1]!.occurredAt))).toBe('0');
    expect(await byTime(entries[1]!.occurredAt)).toBe('1');
    expect(await byTime(between(entries[1]!.occurredAt, entries[2]!.occurredAt))).toBe('1');
    expect(await byTime(between(entries[2]!.occurredAt, entries[3]!.occurredAt))).toBe('2');
  });

  it('before the first event: 404 not_yet_created; after the deletion: 410 post_deleted; past the head: 404 revision_not_found', async () => {
    const bearer = tenant.author.accessToken;
    await expectError(await asOf(postId, '2025-06-01T11:59:59.999Z', bearer), 404, 'not_yet_created');
    const gone = await expectError(await asOf(postId, '3', bearer), 410, 'post_deleted');
    expect(gone.details).toEqual([{ deletedAtRevision: '3', deletedAt: entries[3]!.occurredAt }]);
    await expectError(await asOf(postId, entries[3]!.occurredAt, bearer), 410, 'post_deleted');
    await expectError(await asOf(postId, '2100-01-01T00:00:00Z', bearer), 410, 'post_deleted');
    const beyond = await expectError(await asOf(postId, '4', bearer), 404, 'revision_not_found');
    expect(beyond.details).toEqual([{ headRevision: '3' }]);
  });

  it('refuses an asOf that is neither a revision nor an ISO time: 400 invalid_query', async () => {
    for (const point of ['-1', 'yesterday', '2026-01-01', '2026-01-01T10:00:00', '1.5']) {
      await expectError(await asOf(postId, point, tenant.author.accessToken), 400, 'invalid_query');
    }
  });

  it('once deleted, shows its past to its author and the admins of its tenant only; anyone else gets 404 as if it never existed', async () => {
    expect((await history(postId, tenant.admin.accessToken)).items).toHaveLength(4);
    expect(await expectJson<PostAnswer>(await asOf(postId, '1', tenant.admin.accessToken), 200)).toMatchObject({ title: 'Second' });
    // It was public at revision 2: that gives nobody its past once it is gone.
    for (const bearer of [tenant.colleague.accessToken, stranger.accessToken, undefined]) {
      await expectError(await http.get(`/api/posts/${postId}/history`, bearer === undefined ? {} : { bearer }), 404, 'post_not_found');
      await expectError(await asOf(postId, '2', bearer), 404, 'post_not_found');
    }
  });

  it('answers 404 post_not_found for a post that never existed, whatever is asked', async () => {
    const nowhere = randomUUID();
    await expectError(await http.get(`/api/posts/${nowhere}/history`, { bearer: tenant.admin.accessToken }), 404, 'post_not_found');
    await expectError(await asOf(nowhere, '0', tenant.admin.accessToken), 404, 'post_not_found');
  });
});

describe('who may see a post’s past: whoever may read it now', () => {
  it('a public post: guests and other tenants too, without who made each change', async () => {
    const post = await createPost(http, tenant.author, { title: 'Open', visibility: 'public' });
    await expectJson(await put(post.id, tenant.author, { title: 'Open, edited', body: 'A body' }), 200);
    for (const bearer of [undefined, stranger.accessToken]) {
      const items = (await history(post.id, bearer)).items;
      expect(items.map((entry) => [entry.revision, entry.actor])).toEqual([['0', null], ['1', null]]);
      expect(items[1]!.changes).toEqual([{ path: '/title', before: 'Open', after: 'Open, edited' }]);
      expect(await expectJson<PostAnswer>(await asOf(post.id, '0', bearer), 200)).toMatchObject({ title: 'Open' });
    }
    // The tenant's own people see who.
    expect((await history(post.id, tenant.colleague.accessToken)).items[1]!.actor).toEqual({ type: 'user', id: tenant.author.user.id });
  });

  it('a private post: its author and admins; a colleague once a collection they may read holds it; never another tenant or a guest', async () => {
    const post = await createPost(http, tenant.author, { title: 'Closed' });
    for (const bearer of [tenant.colleague.accessToken, stranger.accessToken, undefined]) {
      await expectError(await http.get(`/api/posts/${post.id}/history`, bearer === undefined ? {} : { bearer }), 404, 'post_not_found');
      await expectError(await asOf(post.id, '0', bearer), 404, 'post_not_found');
    }
    expect((await history(post.id, tenant.admin.accessToken)).items).toHaveLength(1);

    const collection = await expectJson<{ id: string }>(await http.post('/api/collections', { name: 'Shared' }, { bearer: tenant.author.accessToken }), 201);
    await expectJson(await http.post(`/api/collections/${collection.id}/posts`, { postId: post.id }, { bearer: tenant.author.accessToken }), 200);
    const shared = await expectJson<{ position: string }>(
      await http.post(`/api/collections/${collection.id}/members`, { userId: tenant.colleague.user.id, role: 'viewer' }, { bearer: tenant.author.accessToken }),
      200,
    );
    const page = await expectJson<Page<HistoryEntry>>(await getAfter(http, `/api/posts/${post.id}/history`, shared.position, tenant.colleague.accessToken), 200);
    expect(page.items.map((entry) => entry.type)).toEqual(['PostCreated']);
  });
});

describe('ETag with asOf', () => {
  it('is the revision folded to: a PUT with it as If-Match succeeds only while that is the latest', async () => {
    const post = await createPost(http, tenant.author, { title: 'Tagged' });
    await expectJson(await put(post.id, tenant.author, { title: 'Tagged again', body: 'A body' }), 200);
    const past = await asOf(post.id, '0', tenant.author.accessToken);
    const etag = past.headers.get('etag')!;
    expect(etag).toBe('"0"');
    const stale = await http.call('PUT', `/api/posts/${post.id}`, { bearer: tenant.author.accessToken, body: { title: 'Lost', body: 'A body' }, headers: { 'if-match': etag } });
    await expectError(stale, 412, 'precondition_failed');
    const latest = (await asOf(post.id, '1', tenant.author.accessToken)).headers.get('etag')!;
    expect(await expectJson<PostAnswer>(await http.call('PUT', `/api/posts/${post.id}`, { bearer: tenant.author.accessToken, body: { title: 'Kept', body: 'A body' }, headers: { 'if-match': latest } }), 200)).toMatchObject({ revision: '2' });
  });
});

describe('a long history, a page at a time', () => {
  it('pages oldest first with a cursor to the end, and refuses a cursor that is not one', async () => {
    const post = await createPost(http, tenant.author, { title: 'Edit 0' });
    for (let edit = 1; edit <= 4; edit++) await expectJson(await put(post.id, tenant.author, { title: `Edit ${edit}`, body: 'A body' }), 200);
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = `?limit=2${cursor ? `&cursor=${cursor}` : ''}`;
      const page: Page<HistoryEntry> = await history(post.id, tenant.author.accessToken, query);
      seen.push(...page.items.map((entry) => entry.revision));
      cursor = page.nextCursor;
      pages++;
    } while (cursor && pages < 10);
    expect(seen).toEqual(['0', '1', '2', '3', '4']);
    expect(pages).toBe(3);
    for (const bad of ['nonsense', Buffer.from(JSON.stringify(['history', '-1'])).toString('base64url'), Buffer.from(JSON.stringify(['other', '1'])).toString('base64url')]) {
      await expectError(await http.get(`/api/posts/${post.id}/history?cursor=${bad}`, { bearer: tenant.author.accessToken }), 400, 'invalid_query');
    }
  });
});
