import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { expectError, expectJson, GENEROUS_LIMITS_ENV, HttpClient, type AuthAnswer } from '../support/auth-http.js';
import { uniqueEmail } from '../support/identity-harness.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

interface IngestAnswer {
  accepted: number;
  duplicates: number;
  rejected: Array<{ index: number; errors: Array<{ path: string; message: string }> }>;
  position: string | null;
}
interface Entry {
  id: string;
  status: 'resolved' | 'unresolved';
  reasons: Array<{ path: string; message: string }>;
  raw: string;
  truncated: boolean;
  retriedAt: string | null;
  retriedMessageId: string | null;
}
interface EntryPage {
  items: Entry[];
  nextCursor: string | null;
}

let app: TestApp;
let http: HttpClient;
let admin: AuthAnswer;
let otherAdmin: AuthAnswer;
/** The two refused events, newest first. */
let refused: Entry[];
let position: string;

const good = (id: string) => ({ event_id: id, event_type: 'purchase', timestamp: '2026-11-30T10:00:00Z', user_id: 'u1', data: { amount: 3 } });

beforeAll(async () => {
  // `start`: the quarantine list is a read model, which the workers build.
  app = await startTestApp({ role: 'start', env: GENEROUS_LIMITS_ENV });
  http = new HttpClient(app.url);
  admin = await http.signup();
  otherAdmin = await http.signup();
  const answer = await expectJson<IngestAnswer>(
    await http.post('/api/events', [good('ok-1'), { event_id: 'bad-1', timestamp: 'not a time', data: { amount: 1 } }, { event_id: 'bad-2', event_type: '' }], { bearer: admin.accessToken }),
    202,
  );
  expect(answer).toMatchObject({ accepted: 1, duplicates: 0 });
  expect(answer.rejected.map(({ index }) => index)).toEqual([1, 2]);
  position = answer.position!;
  refused = (await list('', { 'x-min-position': position })).items;
});
afterAll(async () => app?.stop());

async function list(query = '', headers: Record<string, string> = {}, bearer = admin.accessToken): Promise<EntryPage> {
  return expectJson<EntryPage>(await http.get(`/api/analytics/quarantine${query}`, { bearer, headers }), 200);
}

describe('GET /api/analytics/quarantine', () => {
  it('lists the refused events, newest first, with their reasons and raw text, unresolved', async () => {
    expect(refused).toHaveLength(2);
    const [second, first] = refused as [Entry, Entry];
    expect(JSON.parse(first.raw)).toEqual({ event_id: 'bad-1', timestamp: 'not a time', data: { amount: 1 } });
    expect(first.reasons.map(({ path }) => path).sort()).toEqual(['event_type', 'timestamp']);
    expect(JSON.parse(second.raw)).toEqual({ event_id: 'bad-2', event_type: '' });
    expect(refused.every((entry) => entry.status === 'unresolved' && entry.retriedAt === null && !entry.truncated)).toBe(true);
  });

  it('pages with a cursor and filters by status', async () => {
    const page1 = await list('?limit=1');
    expect(page1.items.map(({ id }) => id)).toEqual([refused[0]!.id]);
    const page2 = await list(`?limit=1&cursor=${page1.nextCursor}`);
    expect(page2.items.map(({ id }) => id)).toEqual([refused[1]!.id]);
    expect(page2.nextCursor).toBeNull();
    await expectError(await http.get('/api/analytics/quarantine?cursor=nonsense', { bearer: admin.accessToken }), 400, 'invalid_query');
    await expectError(await http.get('/api/analytics/quarantine?status=maybe', { bearer: admin.accessToken }), 400, 'invalid_query');
  });

  it("shows a tenant only its own quarantine, and only to its admins", async () => {
    expect((await list('', {}, otherAdmin.accessToken)).items).toEqual([]);
    const email = uniqueEmail('member');
    const invitation = await expectJson<{ token: string }>(await http.post('/api/invitations', { email }, { bearer: admin.accessToken }), 201);
    const member = await http.signup({ email, invitationToken: invitation.token });
    await expectError(await http.get('/api/analytics/quarantine', { bearer: member.accessToken }), 403, 'admin_required');
    await expectError(await http.get('/api/analytics/quarantine'), 401, 'unauthenticated');
  });
});

describe('POST /api/analytics/quarantine/:id/retry', () => {
  it('answers 422 to a body still invalid, and changes nothing', async () => {
    const target = refused[1]!;
    const error = await expectError(await http.post(`/api/analytics/quarantine/${target.id}/retry`, { event_id: 'bad-1', event_type: 'purchase', timestamp: 'still not a time' }, { bearer: admin.accessToken }), 422, 'still_invalid');
    expect(error.details?.map(({ path }) => path)).toEqual(['timestamp']);
    // Nothing appended to any ingest stream since the first request: neither the event nor a second quarantine entry.
    expect(await app.services.eventStore.readAll({ fromPosition: BigInt(position), filter: { streamPrefixes: ['ingest-'] } })).toEqual([]);
    expect((await list('?status=unresolved')).items.map(({ id }) => id)).toEqual(refused.map(({ id }) => id));
  });

  it('accepts the corrected event and shows the entry resolved; a second retry is 409', async () => {
    const target = refused[1]!;
    const answer = await expectJson<{ id: string; accepted: number; position: string }>(
      await http.post(`/api/analytics/quarantine/${target.id}/retry`, good('bad-1'), { bearer: admin.accessToken }),
      200,
    );
    expect(answer).toMatchObject({ id: target.id, accepted: 1, duplicates: 0 });
    const resolved = await list('?status=resolved', { 'x-min-position': answer.position });
    expect(resolved.items).toHaveLength(1);
    expect(resolved.items[0]).toMatchObject({ id: target.id, status: 'resolved', retriedMessageId: 'bad-1' });
    expect((await list('?status=unresolved')).items.map(({ id }) => id)).toEqual([refused[0]!.id]);
    await expectError(await http.post(`/api/analytics/quarantine/${target.id}/retry`, good('bad-1'), { bearer: admin.accessToken }), 409, 'quarantine_resolved');
    // Accepted as any event is: the warehouse counts it with the one accepted at first.
    const top = await expectJson<{ items: Array<{ event: string; count: number }> }>(
      await http.get('/api/analytics/top-events?from=2026-11-30T00:00:00Z&to=2026-12-01T00:00:00Z', { bearer: admin.accessToken, headers: { 'x-min-position': answer.position } }),
      200,
    );
    expect(top.items).toEqual([{ event: 'purchase', count: 2 }]);
  });

  it("refuses another tenant's entry, unknown ids, members and ingest-only keys; a read key lists but may not retry", async () => {
    const target = refused[0]!;
    const key = async (scopes: string[]) => (await expectJson<{ key: string }>(await http.post('/api/api-keys', { name: scopes.join(), scopes }, { bearer: admin.accessToken }), 201)).key;
    const ingestKey = await key(['ingest']);
    await expectError(await http.get('/api/analytics/quarantine', { bearer: ingestKey }), 403, 'insufficient_scope');
    await expectError(await http.post(`/api/analytics/quarantine/${target.id}/retry`, good('x-0'), { bearer: ingestKey }), 403, 'insufficient_scope');
    const readKey = await key(['read']);
    expect((await list('?status=unresolved', {}, readKey)).items.map(({ id }) => id)).toEqual([target.id]);
    await expectError(await http.post(`/api/analytics/quarantine/${target.id}/retry`, good('x-0'), { bearer: readKey }), 403, 'insufficient_scope');
    await expectError(await http.post(`/api/analytics/quarantine/${target.id}/retry`, good('x-1'), { bearer: otherAdmin.accessToken }), 404, 'quarantine_entry_not_found');
    await expectError(await http.post('/api/analytics/quarantine/0193b0a4-0000-7000-8000-000000000000/retry', good('x-2'), { bearer: admin.accessToken }), 404, 'quarantine_entry_not_found');
    await expectError(await http.post('/api/analytics/quarantine/not-an-id/retry', good('x-3'), { bearer: admin.accessToken }), 400, 'invalid_path');
    expect((await list('?status=unresolved')).items.map(({ id }) => id)).toEqual([target.id]);
  });
});
