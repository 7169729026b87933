import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { expectJson, GENEROUS_LIMITS_ENV, HttpClient, type AuthAnswer } from '../support/auth-http.js';
import type { CollectionAnswer } from '../support/collection-http.js';
import { createPost, inviteMember } from '../support/content-http.js';
import { eventually } from '../support/projection-harness.js';
import { readModelsBuilt } from '../support/read-models.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

let app: TestApp;
let http: HttpClient;
let owner: AuthAnswer;
let viewer: AuthAnswer;
let colleague: AuthAnswer;

beforeAll(async () => {
  app = await startTestApp({ role: 'start', env: GENEROUS_LIMITS_ENV });
  await readModelsBuilt(app);
  http = new HttpClient(app.url);
  await http.signup(); // the installation's operator, out of the way
  const admin = await http.signup();
  [owner, viewer, colleague] = [await inviteMember(http, admin), await inviteMember(http, admin), await inviteMember(http, admin)];
}, 60_000);
afterAll(async () => app?.stop());

const as = (who: AuthAnswer, position?: string | null): { bearer: string; headers: Record<string, string> } => ({
  bearer: who.accessToken,
  headers: position ? { 'x-min-position': position } : {},
});

describe('posts and collections together, over the posts API', () => {
  it('a private post is readable by whoever may read a collection holding it, and no longer once they may not', async () => {
    const post = await createPost(http, owner, { visibility: 'private' });
    const collection = await expectJson<CollectionAnswer>(await http.post('/api/collections', { name: 'Shared' }, as(owner)), 201);
    await expectJson(await http.post(`/api/collections/${collection.id}/posts`, { postId: post.id }, as(owner)), 200);
    const shared = await expectJson<CollectionAnswer>(await http.post(`/api/collections/${collection.id}/members`, { userId: viewer.user.id, role: 'viewer' }, as(owner)), 200);
    await expectJson(await http.get(`/api/posts/${post.id}`, as(viewer, shared.position)), 200);
    expect((await http.get(`/api/posts/${post.id}`, as(colleague, shared.position))).status).toBe(404);
    const unshared = await expectJson<CollectionAnswer>(await http.delete(`/api/collections/${collection.id}/members/${viewer.user.id}`, as(owner)), 200);
    expect((await http.get(`/api/posts/${post.id}`, as(viewer, unshared.position))).status).toBe(404);
  });

  it('DELETE /api/posts/:id takes the post out of its collections, correlated with the deletion request', async () => {
    const post = await createPost(http, owner, { visibility: 'public' });
    const collection = await expectJson<CollectionAnswer>(await http.post('/api/collections', { name: 'Holds it' }, as(owner)), 201);
    await expectJson(await http.post(`/api/collections/${collection.id}/posts`, { postId: post.id }, as(owner)), 200);
    const correlationId = randomUUID();
    await expectJson(await http.delete(`/api/posts/${post.id}`, { bearer: owner.accessToken, headers: { 'x-correlation-id': correlationId } }), 200);
    const removals = async () => (await app.services.eventStore.readStream(`collection-${collection.id}`)).filter((event) => event.type === 'PostRemovedFromCollection');
    await eventually('the collection recorded the removal', async () => (await removals()).length > 0);
    const [removal, ...more] = await removals();
    expect(more).toEqual([]);
    const read = await expectJson<CollectionAnswer>(await http.get(`/api/collections/${collection.id}`, as(owner, String(removal?.position))), 200);
    expect(read.postIds).toEqual([]);
    const [deletion] = await app.services.eventStore.readStream(`post-${post.id}`, { direction: 'backwards', maxCount: 1 });
    expect(deletion?.type).toBe('PostDeleted');
    expect(removal?.metadata).toMatchObject({ correlationId, causationId: deletion?.id, actor: { type: 'system' } });
    expect(removal?.data).toEqual({ collectionId: collection.id, postId: post.id, reason: 'post_deleted' });
  });
});
