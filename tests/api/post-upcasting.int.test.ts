import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { expectJson, GENEROUS_LIMITS_ENV, HttpClient, type AuthAnswer } from '../support/auth-http.js';
import { createPost, getAfter, type PostAnswer } from '../support/content-http.js';
import { readModelsBuilt } from '../support/read-models.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

let app: TestApp;
let http: HttpClient;
let operator: AuthAnswer;
let author: AuthAnswer;

beforeAll(async () => {
  app = await startTestApp({ role: 'start', env: GENEROUS_LIMITS_ENV });
  await readModelsBuilt(app);
  http = new HttpClient(app.url);
  operator = await http.signup();
  author = await http.signup();
}, 60_000);
afterAll(async () => app?.stop());

/** A PostCreated as schema version 1 wrote it: no format, no visibility. */
async function appendVersion1Post(title: string): Promise<{ postId: string; position: bigint }> {
  const postId = randomUUID();
  const eventId = randomUUID();
  const { position } = await app.services.eventStore.appendToStream(`post-${postId}`, [
    {
      id: eventId,
      type: 'PostCreated',
      data: { postId, tenantId: author.user.tenantId, authorId: author.user.id, title, body: 'Written long ago' },
      metadata: {
        eventId,
        correlationId: eventId,
        causationId: eventId,
        actor: { type: 'user', id: author.user.id },
        tenantId: author.user.tenantId,
        requestId: null,
        occurredAt: '2025-06-01T12:00:00.000Z',
        schemaVersion: 1,
      },
    },
  ]);
  return { postId, position };
}

describe('PostCreated v1 → v2', () => {
  it('reads a version 1 post as a plain, private one in the read model and in the command handler; a replay writes the same rows', async () => {
    const { postId, position } = await appendVersion1Post('From version 1');
    await createPost(http, author, { title: 'From version 2' });

    const read = await expectJson<PostAnswer>(await getAfter(http, `/api/posts/${postId}`, String(position), author.accessToken), 200);
    expect(read).toMatchObject({ id: postId, title: 'From version 1', body: 'Written long ago', format: 'plain', visibility: 'private', revision: '0' });
    expect(read.createdAt).toBe('2025-06-01T12:00:00.000Z');

    // The command handler folds the upcast event: the answer knows the format the update left alone.
    const updated = await expectJson<PostAnswer>(
      await http.call('PUT', `/api/posts/${postId}`, { bearer: author.accessToken, body: { title: 'Edited', body: 'Now' }, headers: { 'if-match': '"0"' } }),
      200,
    );
    expect(updated).toMatchObject({ revision: '1', format: 'plain', visibility: 'private' });
    const events = await app.services.eventStore.readStream(`post-${postId}`);
    // The log keeps what version 1 wrote; the new event is written at its type's current version.
    expect(events[0]!.data).not.toHaveProperty('format');
    expect(events.map((event) => [event.type, (event.metadata as { schemaVersion: number }).schemaVersion])).toEqual([
      ['PostCreated', 1],
      ['PostUpdated', 1],
    ]);
    const fresh = await createPost(http, author);
    const freshEvents = await app.services.eventStore.readStream(`post-${fresh.id}`);
    expect((freshEvents[0]!.metadata as { schemaVersion: number }).schemaVersion).toBe(2);

    // The fresh post is the last write: once the read model has it, it has every row the replay must rebuild.
    await expectJson(await getAfter(http, `/api/posts/${fresh.id}`, fresh.position, author.accessToken), 200);
    const rows = () => app.services.knex.raw<{ rows: unknown[] }>('SELECT *, search::text AS search_text FROM posts ORDER BY id').then((result) => result.rows);
    const before = await rows();
    const started = await http.post('/api/admin/projections/posts/replay', {}, { bearer: operator.accessToken });
    await expectJson(started, 202);
    let state = 'pending';
    for (let polls = 0; state !== 'completed' && polls < 400; polls++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      state = (await expectJson<{ state: string }>(await http.get(started.headers.get('location')!, { bearer: operator.accessToken }), 200)).state;
      expect(state).not.toBe('failed');
    }
    expect(state).toBe('completed');
    expect(await rows()).toEqual(before);
  }, 30_000);
});
