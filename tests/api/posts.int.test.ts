import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { POST_BODY_MAX_BYTES } from '../../domain/post/index.js';
import { expectError, expectJson, GENEROUS_LIMITS_ENV, HttpClient, type AuthAnswer } from '../support/auth-http.js';
import { contentTenant, createPost, getAfter, inviteMember, type ContentTenant, type Page, type PostAnswer } from '../support/content-http.js';
import { readModelsBuilt } from '../support/read-models.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

let app: TestApp;
let http: HttpClient;
let acme: ContentTenant;
let stranger: AuthAnswer;
let operator: AuthAnswer;

beforeAll(async () => {
  // `start`: the projection workers run beside the API, so queries have their read models.
  // A short read-your-writes bound keeps the time-out case quick; projections here catch up in milliseconds.
  app = await startTestApp({ role: 'start', env: { ...GENEROUS_LIMITS_ENV, READ_YOUR_WRITES_TIMEOUT_MS: '2000' } });
  await readModelsBuilt(app);
  http = new HttpClient(app.url);
  operator = await http.signup(); // the installation's operator
  acme = await contentTenant(http);
  stranger = await http.signup(); // the admin of another tenant
}, 60_000);
afterAll(async () => app?.stop());

const put = (path: string, body: unknown, bearer?: string, headers: Record<string, string> = {}) =>
  http.call('PUT', path, { body, headers, ...(bearer === undefined ? {} : { bearer }) });
const del = (path: string, bearer?: string, headers: Record<string, string> = {}) =>
  http.call('DELETE', path, { headers, ...(bearer === undefined ? {} : { bearer }) });

/** The log's head: a refused command must leave it where it was. */
const head = async () => app.services.eventStore.headPosition();

describe('POST /api/posts', () => {
  it('writes a post for its author, answering id, revision, position, ETag and Location', async () => {
    const response = await http.post('/api/posts', { title: 'First', body: 'Hello' }, { bearer: acme.author.accessToken });
    const created = await expectJson<PostAnswer>(response, 201);
    expect(created).toMatchObject({
      tenantId: acme.author.user.tenantId,
      authorId: acme.author.user.id,
      title: 'First',
      body: 'Hello',
      format: 'markdown',
      visibility: 'private',
      revision: '0',
    });
    expect(created.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(created.position).toMatch(/^\d+$/);
    expect(response.headers.get('etag')).toBe('"0"');
    expect(response.headers.get('location')).toBe(`/api/posts/${created.id}`);

    const read = await getAfter(http, `/api/posts/${created.id}`, created.position, acme.author.accessToken);
    expect(read.headers.get('etag')).toBe('"0"');
    const post = await expectJson<PostAnswer>(read, 200);
    expect(post).toMatchObject({ id: created.id, title: 'First', body: 'Hello', format: 'markdown', visibility: 'private', revision: '0' });
    expect(post.createdAt).toBe(post.updatedAt);
  });

  it('takes a format and a visibility', async () => {
    const created = await createPost(http, acme.author, { format: 'plain', visibility: 'public' });
    expect(created).toMatchObject({ format: 'plain', visibility: 'public' });
  });

  it('refuses what breaks the limits with 422 and details, and appends nothing', async () => {
    const before = await head();
    const bearer = acme.author.accessToken;
    const refusals: Array<[unknown, string]> = [
      [{ title: '', body: 'x' }, 'title'],
      [{ title: '   ', body: 'x' }, 'title'],
      [{ title: 'x'.repeat(201), body: 'x' }, 'title'],
      [{ title: 'ok', body: 'x'.repeat(POST_BODY_MAX_BYTES + 1) }, 'body'],
      [{ title: 'ok', body: 'é'.repeat(POST_BODY_MAX_BYTES / 2 + 1) }, 'body'],
      [{ title: 'ok' }, 'body'],
      [{ title: 'ok', body: 'x', format: 'html' }, 'format'],
      [{ title: 'ok', body: 'x', visibility: 'secret' }, 'visibility'],
      [{ title: 'ok', body: 'x', authorId: 'someone-else' }, ''],
      [{ title: 'nul\u0000', body: 'x' }, 'title'],
    ];
    for (const [body, path] of refusals) {
      const error = await expectError(await http.post('/api/posts', body, { bearer }), 422, 'validation_failed');
      expect(error.details?.map((detail) => detail.path)).toContain(path);
    }
    await expectError(await http.post('/api/posts', '{"title":', { bearer }), 400, 'malformed_json');
    await expectError(await http.post('/api/posts', [], { bearer }), 400, 'malformed_body');
    expect(await head()).toBe(before);
    // The limits themselves pass: 200 characters (of four UTF-8 bytes each), 100 KB.
    const atLimits = await createPost(http, acme.author, { title: '😀'.repeat(200), body: 'x'.repeat(POST_BODY_MAX_BYTES) });
    expect(atLimits.title).toBe('😀'.repeat(200));
  });

  it('needs a user: 401 without a token', async () => {
    await expectError(await http.post('/api/posts', { title: 't', body: 'b' }), 401, 'unauthenticated');
  });
});

describe('Idempotency-Key on POST /api/posts', () => {
  it('answers a repeat with the first answer and appends nothing; another body with the key is 422', async () => {
    const bearer = acme.author.accessToken;
    const headers = { 'idempotency-key': randomUUID() };
    const first = await http.post('/api/posts', { title: 'Once', body: 'Only once' }, { bearer, headers });
    const created = await expectJson<PostAnswer>(first, 201);
    const before = await head();
    const again = await http.post('/api/posts', { body: 'Only once', title: 'Once' }, { bearer, headers });
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.headers.get('etag')).toBe(first.headers.get('etag'));
    expect(again.headers.get('location')).toBe(`/api/posts/${created.id}`);
    expect(await expectJson<PostAnswer>(again, 201)).toEqual(created);
    await expectError(await http.post('/api/posts', { title: 'Other', body: 'Only once' }, { bearer, headers }), 422, 'idempotency_key_reused');
    expect(await head()).toBe(before);
  });

  it('writes one post when requests with one key race', async () => {
    const headers = { 'idempotency-key': randomUUID() };
    const before = await head();
    const answers = await Promise.all(
      Array.from({ length: 8 }, async () => expectJson<PostAnswer>(await http.post('/api/posts', { title: 'Raced', body: 'x' }, { bearer: acme.author.accessToken, headers }), 201)),
    );
    expect(new Set(answers.map((answer) => answer.id)).size).toBe(1);
    const appended = await app.services.eventStore.readAll({ fromPosition: before!, filter: { eventTypes: ['PostCreated'] } });
    expect(appended.filter((event) => (event.data as { title?: string }).title === 'Raced')).toHaveLength(1);
  });
});

describe('API keys', () => {
  it('read what a guest reads and change nothing (403 user_required)', async () => {
    const { key } = await expectJson<{ key: string }>(await http.post('/api/api-keys', { name: 'reader' }, { bearer: acme.admin.accessToken }), 201);
    const secret = await createPost(http, acme.author);
    const open = await createPost(http, acme.author, { visibility: 'public' });
    await expectError(await http.post('/api/posts', { title: 't', body: 'b' }, { bearer: key }), 403, 'user_required');
    await expectError(await put(`/api/posts/${open.id}`, { title: 't', body: 'b' }, key), 403, 'user_required');
    await expectError(await del(`/api/posts/${open.id}`, key), 403, 'user_required');
    expect((await getAfter(http, `/api/posts/${open.id}`, open.position, key)).status).toBe(200);
    await expectError(await getAfter(http, `/api/posts/${secret.id}`, open.position, key), 404, 'post_not_found');
  });
});

describe('GET /api/posts/:id', () => {
  it('answers 404 for an unknown post and 400 for an id that is not one', async () => {
    await expectError(await http.get(`/api/posts/${randomUUID()}`, { bearer: acme.admin.accessToken }), 404, 'post_not_found');
    await expectError(await http.get('/api/posts/not-a-uuid', { bearer: acme.admin.accessToken }), 400, 'invalid_path');
  });

  it('shows a private post to its author and the admins of its tenant only; a public one to anyone', async () => {
    const secret = await createPost(http, acme.author);
    const open = await createPost(http, acme.author, { visibility: 'public' });
    const position = open.position;
    const status = async (postId: string, who: AuthAnswer | undefined) => (await getAfter(http, `/api/posts/${postId}`, position, who?.accessToken)).status;
    const readers = [acme.author, acme.admin, acme.colleague, stranger, undefined];
    expect(await Promise.all(readers.map((who) => status(secret.id, who)))).toEqual([200, 200, 404, 404, 404]);
    expect(await Promise.all(readers.map((who) => status(open.id, who)))).toEqual([200, 200, 200, 200, 200]);
  });

  it('answers 504 when the read model does not reach X-Min-Position in time, 400 for a malformed one', async () => {
    const far = String(((await head()) ?? 0n) + (1n << 60n));
    await expectError(await getAfter(http, `/api/posts/${randomUUID()}`, far, acme.author.accessToken), 504, 'read_model_timeout');
    await expectError(await getAfter(http, `/api/posts/${randomUUID()}`, 'soon', acme.author.accessToken), 400, 'invalid_position');
  });
});

describe('PUT /api/posts/:id', () => {
  it('lets the author replace the text, with If-Match honoured: 412 when stale', async () => {
    const post = await createPost(http, acme.author);
    const bearer = acme.author.accessToken;
    const first = await put(`/api/posts/${post.id}`, { title: 'Second', body: 'Changed', format: 'plain' }, bearer, { 'if-match': '"0"' });
    expect(first.headers.get('etag')).toBe('"1"');
    expect(await expectJson<PostAnswer>(first, 200)).toMatchObject({ id: post.id, revision: '1', title: 'Second', body: 'Changed', format: 'plain', visibility: 'private' });

    const before = await head();
    const stale = await expectError(await put(`/api/posts/${post.id}`, { title: 'Lost', body: 'x' }, bearer, { 'if-match': '"0"' }), 412, 'precondition_failed');
    expect(stale.details).toEqual([expect.objectContaining({ expectedRevision: '0', actualRevision: '1' })]);
    await expectError(await put(`/api/posts/${post.id}`, { title: 'Bad', body: 'x' }, bearer, { 'if-match': 'W/"1"' }), 400, 'invalid_if_match');
    expect(await head()).toBe(before);

    const visible = await expectJson<PostAnswer>(await put(`/api/posts/${post.id}`, { title: 'Second', body: 'Changed', visibility: 'public' }, bearer, { 'if-match': '"1"' }), 200);
    expect(visible).toMatchObject({ revision: '2', format: 'plain', visibility: 'public' });
    const read = await expectJson<PostAnswer>(await getAfter(http, `/api/posts/${post.id}`, visible.position), 200);
    expect(read).toMatchObject({ title: 'Second', body: 'Changed', format: 'plain', visibility: 'public', revision: '2' });
  });

  it('appends nothing when nothing changes, answering the same revision', async () => {
    const post = await createPost(http, acme.author);
    const same = await expectJson<PostAnswer>(await put(`/api/posts/${post.id}`, { title: post.title, body: post.body }, acme.author.accessToken), 200);
    expect(same).toMatchObject({ revision: '0', position: post.position });
  });

  it('lets an admin of the tenant edit; others get 403 when they may read the post, 404 when they may not', async () => {
    const secret = await createPost(http, acme.author);
    const open = await createPost(http, acme.author, { visibility: 'public' });
    const change = { title: 'By someone', body: 'x' };
    expect(await expectJson<PostAnswer>(await put(`/api/posts/${secret.id}`, change, acme.admin.accessToken), 200)).toMatchObject({ revision: '1' });
    const before = await head();
    await expectError(await put(`/api/posts/${secret.id}`, change, acme.colleague.accessToken), 404, 'post_not_found');
    await expectError(await put(`/api/posts/${secret.id}`, change, stranger.accessToken), 404, 'post_not_found');
    await expectError(await put(`/api/posts/${open.id}`, change, acme.colleague.accessToken), 403, 'not_post_author');
    await expectError(await put(`/api/posts/${open.id}`, change, stranger.accessToken), 403, 'not_post_author');
    // A stale If-Match tells nothing about a post one may not read.
    await expectError(await put(`/api/posts/${secret.id}`, change, acme.colleague.accessToken, { 'if-match': '"0"' }), 404, 'post_not_found');
    await expectError(await put(`/api/posts/${secret.id}`, change), 401, 'unauthenticated');
    expect(await head()).toBe(before);
  });

  it('answers 404 for an unknown post, with or without If-Match, and 422 for bad content', async () => {
    await expectError(await put(`/api/posts/${randomUUID()}`, { title: 't', body: 'b' }, acme.author.accessToken), 404, 'post_not_found');
    await expectError(await put(`/api/posts/${randomUUID()}`, { title: 't', body: 'b' }, acme.author.accessToken, { 'if-match': '"3"' }), 404, 'post_not_found');
    const post = await createPost(http, acme.author);
    await expectError(await put(`/api/posts/${post.id}`, { title: '', body: 'b' }, acme.author.accessToken), 422, 'validation_failed');
    await expectError(await put(`/api/posts/${post.id}`, { body: 'b' }, acme.author.accessToken), 422, 'validation_failed');
  });

  it('keeps all of 20 concurrent changes without If-Match: 20 new revisions, none lost', async () => {
    const post = await createPost(http, acme.author);
    const answers = await Promise.all(
      Array.from({ length: 20 }, async (_, i) => expectJson<PostAnswer>(await put(`/api/posts/${post.id}`, { title: `Edit ${i}`, body: `Body ${i}` }, acme.author.accessToken), 200)),
    );
    expect(answers.map((answer) => Number(answer.revision)).sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    const events = await app.services.eventStore.readStream(`post-${post.id}`);
    expect(events.map((event) => event.type)).toEqual(['PostCreated', ...Array.from({ length: 20 }, () => 'PostUpdated')]);
    expect(new Set(events.slice(1).map((event) => (event.data as { title: string }).title)).size).toBe(20);
  }, 30_000);
});

describe('DELETE /api/posts/:id', () => {
  it('deletes for the author once; the post is gone after', async () => {
    const post = await createPost(http, acme.author, { visibility: 'public' });
    await expectError(await del(`/api/posts/${post.id}`, acme.colleague.accessToken), 403, 'not_post_author');
    await expectError(await del(`/api/posts/${post.id}`, acme.author.accessToken, { 'if-match': '"5"' }), 412, 'precondition_failed');
    const deleted = await expectJson<{ id: string; revision: string; position: string }>(await del(`/api/posts/${post.id}`, acme.author.accessToken, { 'if-match': '"0"' }), 200);
    expect(deleted).toMatchObject({ id: post.id, revision: '1' });
    await expectError(await getAfter(http, `/api/posts/${post.id}`, deleted.position, acme.author.accessToken), 404, 'post_not_found');
    await expectError(await del(`/api/posts/${post.id}`, acme.author.accessToken), 404, 'post_not_found');
    await expectError(await put(`/api/posts/${post.id}`, { title: 't', body: 'b' }, acme.author.accessToken), 404, 'post_not_found');
  });

  it('lets an admin delete, hides a private post from others (404), and needs a token', async () => {
    const secret = await createPost(http, acme.author);
    await expectError(await del(`/api/posts/${secret.id}`, acme.colleague.accessToken), 404, 'post_not_found');
    await expectError(await del(`/api/posts/${secret.id}`, stranger.accessToken), 404, 'post_not_found');
    await expectError(await del(`/api/posts/${secret.id}`), 401, 'unauthenticated');
    await expectJson(await del(`/api/posts/${secret.id}`, acme.admin.accessToken), 200);
    await expectError(await del(`/api/posts/${randomUUID()}`, acme.admin.accessToken), 404, 'post_not_found');
  });
});

describe('GET /api/posts', () => {
  it('lists the posts one may read, newest first, a page at a time', async () => {
    const team = await contentTenant(http);
    const mine = [await createPost(http, team.author), await createPost(http, team.author), await createPost(http, team.author, { visibility: 'public' })];
    const last = mine.at(-1)!;
    const path = `/api/posts?author=${team.author.user.id}&limit=2`;
    const first = await expectJson<Page<PostAnswer>>(await getAfter(http, path, last.position, team.author.accessToken), 200);
    expect(first.items.map((post) => post.id)).toEqual([mine[2]!.id, mine[1]!.id]);
    expect(first.nextCursor).not.toBeNull();
    const second = await expectJson<Page<PostAnswer>>(await http.get(`${path}&cursor=${first.nextCursor}`, { bearer: team.author.accessToken }), 200);
    expect(second).toEqual({ items: [expect.objectContaining({ id: mine[0]!.id })], nextCursor: null });

    // The colleague and a guest see the public one only; the admin all three.
    const ids = async (bearer?: string) =>
      (await expectJson<Page<PostAnswer>>(await http.get(`/api/posts?author=${team.author.user.id}`, bearer === undefined ? {} : { bearer }), 200)).items.map((post) => post.id);
    expect(await ids(team.colleague.accessToken)).toEqual([mine[2]!.id]);
    expect(await ids()).toEqual([mine[2]!.id]);
    expect(await ids(team.admin.accessToken)).toEqual([mine[2]!.id, mine[1]!.id, mine[0]!.id]);
    const privateOnly = await expectJson<Page<PostAnswer>>(await http.get(`/api/posts?author=${team.author.user.id}&visibility=private`, { bearer: team.admin.accessToken }), 200);
    expect(privateOnly.items.map((post) => post.id)).toEqual([mine[1]!.id, mine[0]!.id]);
  });

  it('searches titles and bodies (English stemming), among readable posts only', async () => {
    const team = await contentTenant(http);
    const word = `zq${randomUUID().slice(0, 8)}`;
    const inTitle = await createPost(http, team.author, { title: `Growing ${word} tomatoes`, body: 'In the garden' });
    const inBody = await createPost(http, team.author, { title: 'Notes', body: `We were running with ${word} today`, visibility: 'public' });
    await createPost(http, team.author, { title: 'Unrelated', body: 'Nothing here' });
    const search = async (q: string, bearer?: string) =>
      (
        await expectJson<Page<PostAnswer>>(
          await getAfter(http, `/api/posts?q=${encodeURIComponent(q)}`, inBody.position, bearer),
          200,
        )
      ).items.map((post) => post.id);
    expect(await search(word, team.author.accessToken)).toEqual([inBody.id, inTitle.id]);
    expect(await search(`${word} tomato`, team.author.accessToken)).toEqual([inTitle.id]);
    expect(await search(`${word} runs`, team.author.accessToken)).toEqual([inBody.id]);
    expect(await search(`${word} -garden`, team.author.accessToken)).toEqual([inBody.id]);
    expect(await search(word)).toEqual([inBody.id]);
    expect(await search(word, stranger.accessToken)).toEqual([inBody.id]);
  });

  it('refuses a cursor it never gave out, a bad limit or filter (400)', async () => {
    const bearer = acme.author.accessToken;
    await expectError(await http.get('/api/posts?cursor=not-ours', { bearer }), 400, 'invalid_query');
    await expectError(await http.get('/api/posts?limit=0', { bearer }), 400, 'invalid_query');
    await expectError(await http.get('/api/posts?limit=101', { bearer }), 400, 'invalid_query');
    await expectError(await http.get('/api/posts?visibility=secret', { bearer }), 400, 'invalid_query');
    await expectError(await http.get('/api/posts?collection=nope', { bearer }), 400, 'invalid_query');
  });
});

describe('the posts read model', () => {
  it('is rebuilt by a replay to the very rows incremental processing wrote', async () => {
    const team = await contentTenant(http);
    const kept = await createPost(http, team.author, { title: 'Kept', body: 'Searchable words' });
    await expectJson(await put(`/api/posts/${kept.id}`, { title: 'Kept, edited', body: 'More words', visibility: 'public' }, team.author.accessToken), 200);
    const gone = await createPost(http, team.author);
    const deleted = await expectJson<{ position: string }>(await del(`/api/posts/${gone.id}`, team.author.accessToken), 200);
    await expectJson(await getAfter(http, '/api/posts?limit=1', deleted.position, team.author.accessToken), 200);
    const rows = () => app.services.knex.raw<{ rows: unknown[] }>('SELECT *, search::text AS search_text FROM posts ORDER BY id').then((result) => result.rows);
    const before = await rows();
    expect(before.length).toBeGreaterThan(5);

    const started = await http.post('/api/admin/projections/posts/replay', {}, { bearer: operator.accessToken });
    const location = (await expectJson<{ jobId: string }>(started, 202)) && started.headers.get('location');
    let state = 'pending';
    for (let polls = 0; state !== 'completed' && polls < 400; polls++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      state = (await expectJson<{ state: string }>(await http.get(location!, { bearer: operator.accessToken }), 200)).state;
      expect(state).not.toBe('failed');
    }
    expect(state).toBe('completed');
    expect(await rows()).toEqual(before);
  }, 30_000);
});

describe('posts read through collections', () => {
  interface Collection { id: string; position: string }
  const collection = async (owner: AuthAnswer, visibility: 'private' | 'public' = 'private') =>
    expectJson<Collection>(await http.post('/api/collections', { name: 'Reading list', visibility }, { bearer: owner.accessToken }), 201);
  const add = async (owner: AuthAnswer, collectionId: string, postId: string) =>
    expectJson<{ position: string }>(await http.post(`/api/collections/${collectionId}/posts`, { postId }, { bearer: owner.accessToken }), 200);
  const member = async (owner: AuthAnswer, collectionId: string, userId: string, role: 'editor' | 'viewer') =>
    expectJson<{ position: string }>(await http.post(`/api/collections/${collectionId}/members`, { userId, role }, { bearer: owner.accessToken }), 200);

  it('shows a private post to whoever may read a collection holding it: members of a private one, anyone for a public one', async () => {
    const team = await contentTenant(http);
    const outsider = await inviteMember(http, team.admin);
    const secret = await createPost(http, team.author);
    const shelf = await collection(team.author);
    await add(team.author, shelf.id, secret.id);
    const last = await member(team.author, shelf.id, team.colleague.user.id, 'viewer');
    let after = last.position;
    const status = async (who: AuthAnswer | undefined) => (await getAfter(http, `/api/posts/${secret.id}`, after, who?.accessToken)).status;
    expect([await status(team.colleague), await status(outsider), await status(stranger), await status(undefined)]).toEqual([200, 404, 404, 404]);
    // A viewer reads but does not edit: 403, not 404.
    await expectError(await put(`/api/posts/${secret.id}`, { title: 'No', body: 'x' }, team.colleague.accessToken), 403, 'not_post_author');
    await expectError(await put(`/api/posts/${secret.id}`, { title: 'No', body: 'x' }, outsider.accessToken), 404, 'post_not_found');

    const shop = await collection(team.author, 'public');
    after = (await add(team.author, shop.id, secret.id)).position;
    expect([await status(outsider), await status(stranger), await status(undefined)]).toEqual([200, 200, 200]);
  });

  it('lists a collection’s posts with ?collection=, for those who may read it', async () => {
    const team = await contentTenant(http);
    const [one, two, other] = [await createPost(http, team.author), await createPost(http, team.author), await createPost(http, team.author)];
    const shelf = await collection(team.author);
    await add(team.author, shelf.id, one.id);
    const last = await add(team.author, shelf.id, two.id);
    const list = async (who: AuthAnswer | undefined) =>
      (await expectJson<Page<PostAnswer>>(await getAfter(http, `/api/posts?collection=${shelf.id}`, last.position, who?.accessToken), 200)).items.map((post) => post.id);
    expect(await list(team.author)).toEqual([two.id, one.id]);
    expect(await list(team.colleague)).toEqual([]);
    expect(await list(undefined)).toEqual([]);
    void other;
  });
});
