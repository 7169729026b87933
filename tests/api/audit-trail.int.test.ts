import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { expectError, expectJson, GENEROUS_LIMITS_ENV, HttpClient, type AuthAnswer } from '../support/auth-http.js';
import type { CollectionAnswer } from '../support/collection-http.js';
import { createPost, inviteMember, type Page, type PostAnswer } from '../support/content-http.js';
import { eventually } from '../support/projection-harness.js';
import { readModelsBuilt } from '../support/read-models.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import type { RecordedEventJson } from '../../infra/event-store/event-json.js';
import { eventToJson } from '../../infra/event-store/event-json.js';

interface CorrelatedEvent extends RecordedEventJson {
  causedBy: string | null;
  caused: string[];
  depth: number;
}

let app: TestApp;
let http: HttpClient;
let operator: AuthAnswer;
let adminA: AuthAnswer;
let author: AuthAnswer;
let colleague: AuthAnswer;
let adminB: AuthAnswer;
let apiKey: string;
/** A private post of `author`, created then updated twice: four events with the deletion test's own. */
let post: PostAnswer;
let collection: CollectionAnswer;
/** A private post of `author` that `colleague` may read through a collection (set by the stream tests). */
let sharedPostId: string | undefined;
/** The whole log once the scene is set, as the store has it. */
let log: RecordedEventJson[];

beforeAll(async () => {
  app = await startTestApp({ role: 'start', env: GENEROUS_LIMITS_ENV });
  await readModelsBuilt(app);
  http = new HttpClient(app.url);
  operator = await http.signup();
  adminA = await http.signup();
  [author, colleague] = [await inviteMember(http, adminA), await inviteMember(http, adminA)];
  adminB = await http.signup();
  await createPost(http, adminB, { visibility: 'private', title: 'In tenant B' });
  post = await createPost(http, author, { visibility: 'private' });
  for (const title of ['Second', 'Third']) await expectJson(await http.call('PUT', `/api/posts/${post.id}`, { bearer: author.accessToken, body: { title, body: 'Changed' } }), 200);
  await createPost(http, colleague, { visibility: 'public' });
  collection = await expectJson<CollectionAnswer>(await http.post('/api/collections', { name: 'Reading list' }, { bearer: author.accessToken }), 201);
  expect((await http.post('/auth/login', { email: author.user.email, password: 'not the password' })).status).toBe(401);
  apiKey = (await expectJson<{ key: string }>(await http.post('/api/api-keys', { name: 'robot' }, { bearer: adminA.accessToken }), 201)).key;
  log = await wholeLog();
}, 120_000);
afterAll(async () => app?.stop());

async function wholeLog(): Promise<RecordedEventJson[]> {
  return (await app.services.eventStore.readAll()).map(eventToJson);
}

/** Every page of a list, following nextCursor; waits for the audit trail to hold the whole log first. */
async function allPages(path: string, who: AuthAnswer, limit = 3): Promise<RecordedEventJson[]> {
  const head = String(await app.services.eventStore.headPosition());
  const items: RecordedEventJson[] = [];
  let cursor: string | null = null;
  for (let pages = 0; pages < 1_000; pages++) {
    const separator = path.includes('?') ? '&' : '?';
    const url: string = `${path}${separator}limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`;
    const page: Page<RecordedEventJson> = await expectJson<Page<RecordedEventJson>>(await http.get(url, { bearer: who.accessToken, headers: { 'x-min-position': head } }), 200);
    expect(page.items.length).toBeLessThanOrEqual(limit);
    items.push(...page.items);
    cursor = page.nextCursor;
    if (cursor === null) return items;
  }
  throw new Error('more than 1,000 pages');
}

const ids = (events: readonly RecordedEventJson[]) => events.map((event) => event.id);
const metadataOf = (event: RecordedEventJson) => event.metadata as { actor: { id: string }; tenantId: string | null; correlationId: string; occurredAt: string };

describe('GET /api/audit/streams/:stream', () => {
  it('gives every event of the stream with its metadata, in order, page by page, forwards and backwards', async () => {
    const stream = `post-${post.id}`;
    const expected = log.filter((event) => event.stream === stream);
    expect(expected.map((event) => event.type)).toEqual(['PostCreated', 'PostUpdated', 'PostUpdated']);
    const forwards = await allPages(`/api/audit/streams/${stream}`, author, 2);
    expect(forwards).toEqual(expected);
    const backwards = await allPages(`/api/audit/streams/${stream}?direction=backwards`, author, 2);
    expect(backwards).toEqual([...expected].reverse());
  });

  it('refuses a cursor made for the other direction (400), not a page of something else', async () => {
    const first = await expectJson<Page<RecordedEventJson>>(await http.get(`/api/audit/streams/post-${post.id}?limit=1`, { bearer: author.accessToken }), 200);
    expect(first.nextCursor).not.toBeNull();
    await expectError(await http.get(`/api/audit/streams/post-${post.id}?limit=1&direction=backwards&cursor=${first.nextCursor}`, { bearer: author.accessToken }), 400, 'invalid_query');
  });

  it('shows a private post’s history to its author, its tenant’s admin and operators; 404 to others, as for a stream that does not exist', async () => {
    const stream = `/api/audit/streams/post-${post.id}`;
    for (const reader of [author, adminA, operator]) expect(await allPages(stream, reader)).toHaveLength(3);
    for (const reader of [colleague, adminB]) await expectError(await http.get(stream, { bearer: reader.accessToken }), 404, 'stream_not_found');
    await expectError(await http.get(`/api/audit/streams/post-${randomUUID()}`, { bearer: operator.accessToken }), 404, 'stream_not_found');
  });

  it('shows a post’s history to whoever may read a collection holding it, by content’s own read rule', async () => {
    const shared = await createPost(http, author, { visibility: 'private' });
    sharedPostId = shared.id;
    const list = await expectJson<CollectionAnswer>(await http.post('/api/collections', { name: 'Shared' }, { bearer: author.accessToken }), 201);
    await expectJson(await http.post(`/api/collections/${list.id}/posts`, { postId: shared.id }, { bearer: author.accessToken }), 200);
    await expectError(await http.get(`/api/audit/streams/post-${shared.id}`, { bearer: colleague.accessToken }), 404, 'stream_not_found');
    await expectJson(await http.post(`/api/collections/${list.id}/members`, { userId: colleague.user.id, role: 'viewer' }, { bearer: author.accessToken }), 200);
    expect(ids(await allPages(`/api/audit/streams/post-${shared.id}`, colleague))).toEqual([expect.any(String)]);
    expect((await allPages(`/api/audit/streams/collection-${list.id}`, colleague)).map((event) => event.type)).toEqual([
      'CollectionCreated',
      'PostAddedToCollection',
      'CollectionMemberAdded',
    ]);
  });

  it('answers an API key 403 user_required, and a guest 401', async () => {
    await expectError(await http.get(`/api/audit/streams/post-${post.id}`, { bearer: apiKey }), 403, 'user_required');
    expect((await http.get(`/api/audit/streams/post-${post.id}`)).status).toBe(401);
  });
});

describe('GET /api/audit/events', () => {
  // The tests before add events: each compares with the log as it is when it starts.
  beforeEach(async () => {
    log = await wholeLog();
  });

  type Filter = { query: string; holds: (event: RecordedEventJson) => boolean };

  /** Each filter alone, as a query string and as the predicate it means over the log. */
  function filters(): Filter[] {
    const middle = log[Math.floor(log.length / 2)]!;
    const late = log[log.length - 3]!;
    const from = metadataOf(middle).occurredAt;
    const to = metadataOf(late).occurredAt;
    const correlation = metadataOf(log.find((event) => event.type === 'PostUpdated')!).correlationId;
    return [
      { query: `actor=${author.user.id}`, holds: (event) => metadataOf(event).actor.id === author.user.id },
      { query: `tenant=${adminA.user.tenantId}`, holds: (event) => metadataOf(event).tenantId === adminA.user.tenantId },
      { query: `stream=post-${post.id}`, holds: (event) => event.stream === `post-${post.id}` },
      { query: 'category=post', holds: (event) => event.stream.startsWith('post-') },
      { query: 'type=PostUpdated', holds: (event) => event.type === 'PostUpdated' },
      { query: `correlation=${correlation}`, holds: (event) => metadataOf(event).correlationId === correlation },
      { query: `from=${from}`, holds: (event) => Date.parse(metadataOf(event).occurredAt) >= Date.parse(from) },
      { query: `to=${to}`, holds: (event) => Date.parse(metadataOf(event).occurredAt) < Date.parse(to) },
    ];
  }

  it('each filter alone gives exactly the events of the log that match it, in log order (operator: the whole log)', async () => {
    expect(await allPages('/api/audit/events', operator, 10)).toEqual(log);
    for (const filter of filters()) {
      const expected = log.filter(filter.holds);
      expect(expected.length).toBeGreaterThan(0);
      expect({ filter: filter.query, ids: ids(await allPages(`/api/audit/events?${filter.query}`, operator)) }).toEqual({ filter: filter.query, ids: ids(expected) });
    }
  });

  it('filters combine: every pair gives the events that match both, forwards and backwards', async () => {
    const all = filters();
    for (const [i, first] of all.entries()) {
      for (const second of all.slice(i + 1)) {
        const query = `${first.query}&${second.query}`;
        const expected = ids(log.filter((event) => first.holds(event) && second.holds(event)));
        expect({ query, ids: ids(await allPages(`/api/audit/events?${query}`, operator, 4)) }).toEqual({ query, ids: expected });
        expect({ query, ids: ids(await allPages(`/api/audit/events?${query}&direction=backwards`, operator, 4)) }).toEqual({ query, ids: [...expected].reverse() });
      }
    }
  });

  it('"every failed login for this account": type and stream together, for the tenant’s admin', async () => {
    const failed = await allPages(`/api/audit/events?type=UserLoginFailed&stream=user-${author.user.id}`, adminA);
    expect(failed.map((event) => event.type)).toEqual(['UserLoginFailed']);
    expect(await allPages(`/api/audit/events?type=UserLoginFailed&stream=user-${author.user.id}`, adminB)).toEqual([]);
  });

  it('an admin sees their tenant and no other; an operator may filter by any tenant', async () => {
    const tenantA = log.filter((event) => metadataOf(event).tenantId === adminA.user.tenantId);
    const seenByAdmin = await allPages('/api/audit/events?category=post', adminA, 10);
    expect(seenByAdmin.every((event) => metadataOf(event).tenantId === adminA.user.tenantId || isPublicPost(event))).toBe(true);
    expect(ids(await allPages(`/api/audit/events?tenant=${adminA.user.tenantId}`, adminA, 10))).toEqual(ids(tenantA));
    expect(await allPages(`/api/audit/events?tenant=${adminB.user.tenantId}`, adminA)).toEqual([]);
    expect((await allPages(`/api/audit/events?tenant=${adminB.user.tenantId}`, operator, 10)).length).toBeGreaterThan(0);
  });

  it('a member sees what they did and what they may read, not their colleagues’ private work', async () => {
    const seen = await allPages('/api/audit/events', colleague, 10);
    const streams = new Set(seen.map((event) => event.stream));
    expect(streams.has(`post-${post.id}`)).toBe(false);
    expect(streams.has(`collection-${collection.id}`)).toBe(false);
    expect(streams.has(`user-${colleague.user.id}`)).toBe(true);
    expect(streams.has(`user-${author.user.id}`)).toBe(false);
    const did = await allPages(`/api/audit/events?actor=${colleague.user.id}`, colleague);
    expect(ids(did)).toEqual(ids(log.filter((event) => metadataOf(event).actor.id === colleague.user.id)));
    // Of the author's private posts, only the one shared with the colleague through a collection.
    const authorsPosts = await allPages(`/api/audit/events?actor=${author.user.id}&category=post`, colleague);
    expect(new Set(authorsPosts.map((event) => event.stream))).toEqual(new Set([`post-${sharedPostId}`]));
  });

  it('refuses malformed filters with 400 invalid_query', async () => {
    for (const query of ['from=yesterday', 'to=2026-13-01T00:00:00Z', 'direction=sideways', 'limit=0', 'limit=101', 'cursor=not-ours']) {
      await expectError(await http.get(`/api/audit/events?${query}`, { bearer: operator.accessToken }), 400, 'invalid_query');
    }
  });

  function isPublicPost(event: RecordedEventJson): boolean {
    return log.some((other) => other.stream === event.stream && other.type === 'PostCreated' && (other.data as { visibility?: string }).visibility === 'public');
  }
});

describe('GET /api/audit/correlations/:correlationId', () => {
  it('a deleted post leaving its collections keeps one chain: the deletion, and the removals it caused as its children', async () => {
    const doomed = await createPost(http, author, { visibility: 'private' });
    const holders: CollectionAnswer[] = [];
    for (const name of ['One', 'Two']) {
      const holder = await expectJson<CollectionAnswer>(await http.post('/api/collections', { name }, { bearer: author.accessToken }), 201);
      await expectJson(await http.post(`/api/collections/${holder.id}/posts`, { postId: doomed.id }, { bearer: author.accessToken }), 200);
      holders.push(holder);
    }
    const correlationId = randomUUID();
    await expectJson(await http.delete(`/api/posts/${doomed.id}`, { bearer: author.accessToken, headers: { 'x-correlation-id': correlationId } }), 200);
    const removals = async () => (await wholeLog()).filter((event) => event.type === 'PostRemovedFromCollection' && (event.data as { postId: string }).postId === doomed.id);
    await eventually('both collections recorded the removal', async () => (await removals()).length === 2);
    const head = String(await app.services.eventStore.headPosition());
    const chain = await expectJson<{ correlationId: string; events: CorrelatedEvent[]; truncated: boolean }>(
      await http.get(`/api/audit/correlations/${correlationId}`, { bearer: author.accessToken, headers: { 'x-min-position': head } }),
      200,
    );
    const [deletion, ...caused] = chain.events;
    expect(deletion).toMatchObject({ type: 'PostDeleted', stream: `post-${doomed.id}`, causedBy: null, depth: 0 });
    expect(caused.map((event) => [event.type, event.stream, event.causedBy, event.depth])).toEqual(
      expect.arrayContaining(holders.map((holder) => ['PostRemovedFromCollection', `collection-${holder.id}`, deletion!.id, 1])),
    );
    expect(caused).toHaveLength(2);
    expect(deletion!.caused).toEqual(caused.map((event) => event.id));
    expect(chain.events.map((event) => BigInt(event.position))).toEqual(chain.events.map((event) => BigInt(event.position)).sort((a, b) => (a < b ? -1 : 1)));
    expect(chain.truncated).toBe(false);
    // Its admin sees the same chain; a colleague, who may read none of it, gets 404 as for an id never used.
    expect((await expectJson<{ events: CorrelatedEvent[] }>(await http.get(`/api/audit/correlations/${correlationId}`, { bearer: adminA.accessToken }), 200)).events).toEqual(chain.events);
    await expectError(await http.get(`/api/audit/correlations/${correlationId}`, { bearer: colleague.accessToken }), 404, 'correlation_not_found');
    await expectError(await http.get(`/api/audit/correlations/${randomUUID()}`, { bearer: operator.accessToken }), 404, 'correlation_not_found');
  });
});

describe('analytics events in the audit trail', () => {
  it('an ingest’s events are in the trail as the log holds them, under every filter and in correlations, though their rows keep no copy of the payloads', async () => {
    const { key } = await expectJson<{ key: string }>(await http.post('/api/api-keys', { name: 'site', scopes: ['ingest'] }, { bearer: adminA.accessToken }), 201);
    const messageIds = [randomUUID(), randomUUID(), randomUUID()];
    const batch = messageIds.map((messageId, n) => ({ type: 'track', event: 'Signed Up', messageId, userId: `visitor-${n}`, properties: { n, plan: 'pro' } }));
    const authorization = `Basic ${Buffer.from(`${key}:`).toString('base64')}`;
    expect(await expectJson(await http.call('POST', '/v1/batch', { headers: { authorization }, body: { batch } }), 200)).toMatchObject({ accepted: 3 });
    const whole = await wholeLog();
    const ingested = whole.filter((event) => event.type === 'AnalyticsEventReceived' && (messageIds as string[]).includes((event.data as { messageId: string }).messageId));
    expect(ingested).toHaveLength(3);
    const { stream } = ingested[0]!;
    const first = metadataOf(ingested[0]!);

    // Paged two by two, both ways, and the operator's whole trail (the other events' rows, with their payloads, on the same pages).
    expect(await allPages(`/api/audit/events?stream=${stream}`, adminA, 2)).toEqual(ingested);
    expect(await allPages(`/api/audit/events?stream=${stream}&direction=backwards`, adminA, 2)).toEqual([...ingested].reverse());
    expect((await allPages('/api/audit/events', operator, 7)).slice(0, whole.length)).toEqual(whole);
    for (const query of [`actor=${first.actor.id}`, `tenant=${first.tenantId}`, 'category=ingest', 'type=AnalyticsEventReceived', `correlation=${first.correlationId}`, `from=${first.occurredAt}`]) {
      const found = (await allPages(`/api/audit/events?${query}`, operator, 50)).filter((event) => event.stream === stream);
      expect({ query, found }).toEqual({ query, found: ingested });
    }
    const chain = await expectJson<{ events: CorrelatedEvent[] }>(await http.get(`/api/audit/correlations/${first.correlationId}`, { bearer: adminA.accessToken }), 200);
    expect(chain.events.map(({ causedBy: _causedBy, caused: _caused, depth: _depth, ...event }) => event)).toEqual(ingested);

    const { rows } = await app.services.knex.raw<{ rows: { copied: number; slim: number }[] }>(
      'SELECT count(*) FILTER (WHERE data IS NOT NULL OR metadata IS NOT NULL)::int AS copied, count(*) FILTER (WHERE data IS NULL AND metadata IS NULL)::int AS slim FROM audit_events WHERE stream = ?',
      [stream],
    );
    expect(rows[0]).toEqual({ copied: 0, slim: 3 });
  });
});
