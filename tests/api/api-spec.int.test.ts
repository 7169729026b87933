import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { apiSpec } from '../support/api-spec.js';
import { GENEROUS_LIMITS_ENV, HttpClient, type AuthAnswer } from '../support/auth-http.js';
import type { GivenEvent } from '../support/given-events.js';
import { readModelsBuilt } from '../support/read-models.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

let app: TestApp;
let admin: AuthAnswer;

beforeAll(async () => {
  // `start`: the projection workers run beside the API, so lists read what the given events built.
  app = await startTestApp({ role: 'start', env: GENEROUS_LIMITS_ENV });
  await readModelsBuilt(app);
  const http = new HttpClient(app.url);
  await http.signup(); // the installation's operator, out of the way
  admin = await http.signup({ displayName: 'Founder' });
}, 60_000);
afterAll(async () => app?.stop());

const spec = apiSpec(() => app);

function memberSignedUp(userId: string, email = `${userId}@example.com`): GivenEvent {
  return {
    stream: `user-${userId}`,
    type: 'UserSignedUp',
    data: { userId, tenantId: admin.user.tenantId, email, displayName: 'Given', method: 'password', invitationId: null },
    metadata: { tenantId: admin.user.tenantId },
  };
}

describe('API specifications: given events, when a request, then the answer and the new events', () => {
  it('a query sees the given events through the read model, and appends nothing', async () => {
    const userId = randomUUID();
    await spec
      .given([memberSignedUp(userId, 'given@example.com')])
      .when(({ http }) => http.get('/api/users?limit=100', { bearer: admin.accessToken }))
      .then({
        status: 200,
        body: { items: expect.arrayContaining([expect.objectContaining({ id: userId, email: 'given@example.com', roles: [], disabled: false })]), nextCursor: null },
        headers: { 'content-type': /^application\/json/ },
      });
  });

  it('a command on a stream the given events made answers and appends its event', async () => {
    const userId = randomUUID();
    const answer = await spec
      .given([memberSignedUp(userId)])
      .when(({ http }) => http.post(`/api/users/${userId}/disable`, {}, { bearer: admin.accessToken }))
      .then({
        status: 200,
        body: expect.objectContaining({ id: userId, revision: '1', disabled: true }),
        headers: { etag: '"1"' },
        events: [{ stream: `user-${userId}`, type: 'UserDisabled', data: { userId }, metadata: { actor: { type: 'user', id: admin.user.id } } }],
      });
    expect(answer.events[0]?.metadata).toMatchObject({ tenantId: admin.user.tenantId });
  });

  it('a refused request answers its error and appends nothing', async () => {
    await spec
      .given([])
      .when(({ http }) => http.post(`/api/users/${randomUUID()}/disable`, {}, { bearer: admin.accessToken }))
      .then({ status: 404, body: { error: expect.objectContaining({ code: 'user_not_found' }) } });
  });

  it("a list's cursor is refused by another list (400 invalid_query), and pages of one list neither repeat nor skip", async () => {
    const invitation = (email: string): GivenEvent => ({
      stream: `tenant-${admin.user.tenantId}`,
      type: 'TenantInvitationIssued',
      data: { invitationId: randomUUID(), email, role: 'member', invitedBy: admin.user.id, expiresAt: '2099-01-01T00:00:00.000Z', tokenHash: 'cd'.repeat(32) },
    });
    const first = await spec
      .given([invitation('one@example.com'), invitation('two@example.com'), invitation('three@example.com')])
      .when(({ http }) => http.get('/api/invitations?limit=2', { bearer: admin.accessToken }))
      .then({ status: 200, body: { items: [expect.objectContaining({ email: 'three@example.com' }), expect.objectContaining({ email: 'two@example.com' })], nextCursor: expect.any(String) } });
    const cursor = (first.body as { nextCursor: string }).nextCursor;
    await spec
      .given([])
      .when(({ http }) => http.get(`/api/invitations?limit=2&cursor=${cursor}`, { bearer: admin.accessToken }))
      .then({ status: 200, body: { items: [expect.objectContaining({ email: 'one@example.com' })], nextCursor: null } });
    await spec
      .given([])
      .when(({ http }) => http.get(`/api/users?cursor=${cursor}`, { bearer: admin.accessToken }))
      .then({ status: 400, body: { error: expect.objectContaining({ code: 'invalid_query' }) } });
  });

  it('fails when the request appended events the specification did not name, or the answer differs', async () => {
    const userId = randomUUID();
    const disable = spec.given([memberSignedUp(userId)]).when(({ http }) => http.post(`/api/users/${userId}/disable`, {}, { bearer: admin.accessToken }));
    await expect(disable.then({ status: 200 })).rejects.toThrow(/UserDisabled/);
    await expect(spec.given([]).when(({ http }) => http.get('/api/users', { bearer: admin.accessToken })).then({ status: 201 })).rejects.toThrow(/201/);
  });
});
