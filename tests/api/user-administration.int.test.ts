import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { expectError, expectJson, GENEROUS_LIMITS_ENV, HttpClient, type AuthAnswer } from '../support/auth-http.js';
import { GOOD_PASSWORD, uniqueEmail } from '../support/identity-harness.js';
import { readModelsBuilt } from '../support/read-models.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

interface Member {
  id: string;
  email: string;
  roles: string[];
  disabled: boolean;
  emailVerified: boolean;
  joinedAt: string;
}
interface Page<T> {
  items: T[];
  nextCursor: string | null;
}
interface IssuedInvitation {
  invitationId: string;
  token: string;
  position: string | null;
}
interface InvitationItem {
  invitationId: string;
  email: string;
  status: string;
}

let app: TestApp;
let http: HttpClient;

beforeAll(async () => {
  // `start`: the projection workers run beside the API, so the lists have their read model.
  app = await startTestApp({ role: 'start', env: GENEROUS_LIMITS_ENV });
  await readModelsBuilt(app);
  http = new HttpClient(app.url);
  await http.signup(); // the installation's operator, out of the way
}, 60_000);
afterAll(async () => app?.stop());

async function issueInvitation(admin: AuthAnswer, role: 'admin' | 'member' = 'member', email = uniqueEmail(role)): Promise<IssuedInvitation & { email: string }> {
  return { email, ...(await expectJson<IssuedInvitation>(await http.post('/api/invitations', { email, role }, { bearer: admin.accessToken }), 201)) };
}

async function invite(admin: AuthAnswer, role: 'admin' | 'member' = 'member'): Promise<AuthAnswer> {
  const invitation = await issueInvitation(admin, role);
  return http.signup({ email: invitation.email, invitationToken: invitation.token });
}

/** A GET that waits for the read model to include `position` (X-Min-Position). */
async function getAfter<T>(path: string, bearer: string, position: string | null): Promise<T> {
  return expectJson<T>(await http.get(path, { bearer, headers: position ? { 'x-min-position': position } : {} }), 200);
}

describe('GET /api/users', () => {
  it("lists the admin's tenant, with roles, a page at a time, and nobody else's", async () => {
    const admin = await http.signup({ displayName: 'Founder' });
    const first = await invite(admin);
    const second = await invite(admin);
    await http.signup(); // another tenant
    const granted = await expectJson<{ position: string }>(await http.post(`/api/users/${first.user.id}/roles`, { role: 'admin' }, { bearer: admin.accessToken }), 200);

    const one = await getAfter<Page<Member>>('/api/users?limit=2', admin.accessToken, granted.position);
    expect(one.items).toHaveLength(2);
    expect(one.nextCursor).not.toBeNull();
    const two = await getAfter<Page<Member>>(`/api/users?limit=2&cursor=${one.nextCursor}`, admin.accessToken, null);
    expect(two.nextCursor).toBeNull();
    const all = [...one.items, ...two.items];
    expect(all.map((member) => member.id)).toEqual([admin.user.id, first.user.id, second.user.id]);
    expect(all[1]).toMatchObject({ email: first.user.email, roles: expect.arrayContaining(['member', 'admin']), disabled: false, emailVerified: false });
    expect(all[0]).toMatchObject({ displayName: 'Founder', roles: ['admin'] });
  });

  it('is for admins (403), and a cursor it never gave out is a bad request (400)', async () => {
    const admin = await http.signup();
    const member = await invite(admin);
    await expectError(await http.get('/api/users', { bearer: member.accessToken }), 403, 'admin_required');
    await expectError(await http.get('/api/users?cursor=not-ours', { bearer: admin.accessToken }), 400, 'invalid_query');
    await expectError(await http.get('/api/users?limit=0', { bearer: admin.accessToken }), 400, 'invalid_query');
  });
});

describe('invitations', () => {
  it('lists them for admins, withdraws a pending one (its token stops), and refuses to withdraw a used one', async () => {
    const admin = await http.signup();
    const accepted = await issueInvitation(admin);
    await http.signup({ email: accepted.email, invitationToken: accepted.token });
    const pending = await issueInvitation(admin);

    expect((await http.delete(`/api/invitations/${pending.invitationId}`, { bearer: admin.accessToken })).status).toBe(204);
    await expectError(await http.post('/auth/signup', { email: pending.email, password: GOOD_PASSWORD, invitationToken: pending.token }), 404, 'invitation_not_found');
    await expectError(await http.delete(`/api/invitations/${accepted.invitationId}`, { bearer: admin.accessToken }), 409, 'invitation_used');
    await expectError(await http.delete('/api/invitations/no-such-invitation', { bearer: admin.accessToken }), 404, 'invitation_not_found');

    const latest = await issueInvitation(admin);
    const page = await getAfter<Page<InvitationItem>>('/api/invitations', admin.accessToken, latest.position);
    expect(page.items.map((item) => [item.invitationId, item.status])).toEqual([
      [latest.invitationId, 'pending'],
      [pending.invitationId, 'revoked'],
      [accepted.invitationId, 'accepted'],
    ]);
    expect(JSON.stringify(page)).not.toContain(latest.token);
    const onlyPending = await getAfter<Page<InvitationItem>>('/api/invitations?status=pending', admin.accessToken, null);
    expect(onlyPending.items.map((item) => item.invitationId)).toEqual([latest.invitationId]);
  });

  it('answers 409 for an email that already has an account', async () => {
    const admin = await http.signup();
    const someone = await http.signup();
    await expectError(await http.post('/api/invitations', { email: someone.user.email }, { bearer: admin.accessToken }), 409, 'email_taken');
  });
});

describe('disabling a user', () => {
  it('stops their tokens, refresh tokens, API keys, logins and pending invitations at once; enabling lets them log in again', async () => {
    const admin = await http.signup();
    const target = await invite(admin, 'admin');
    const key = await expectJson<{ key: string }>(await http.post('/api/api-keys', { name: 'their key' }, { bearer: target.accessToken }), 201);
    const theirInvitation = await issueInvitation(target);
    expect((await http.get('/auth/verify', { headers: { 'x-api-key': key.key } })).status).toBe(200);

    const disabled = await expectJson<{ disabled: boolean; position: string }>(await http.post(`/api/users/${target.user.id}/disable`, {}, { bearer: admin.accessToken }), 200);
    expect(disabled.disabled).toBe(true);

    await expectError(await http.get('/auth/me', { bearer: target.accessToken }), 401, 'session_ended');
    await expectError(await http.post('/auth/refresh', { refreshToken: target.refreshToken }), 401, 'invalid_refresh_token');
    await expectError(await http.get('/auth/verify', { headers: { 'x-api-key': key.key } }), 401, 'invalid_api_key');
    await expectError(await http.post('/auth/login', { email: target.user.email, password: GOOD_PASSWORD }), 403, 'account_disabled');
    await expectError(await http.post('/auth/login', { email: target.user.email, password: 'not the password at all' }), 401, 'invalid_credentials');
    await expectError(
      await http.post('/auth/signup', { email: theirInvitation.email, password: GOOD_PASSWORD, invitationToken: theirInvitation.token }),
      404,
      'invitation_not_found',
    );
    const listed = await getAfter<Page<Member>>('/api/users', admin.accessToken, disabled.position);
    expect(listed.items.find((member) => member.id === target.user.id)).toMatchObject({ disabled: true });

    await expectJson(await http.post(`/api/users/${target.user.id}/enable`, {}, { bearer: admin.accessToken }), 200);
    const back = await http.login(target.user.email);
    expect(back.user.roles).toContain('admin');
    await expectError(await http.get('/auth/verify', { headers: { 'x-api-key': key.key } }), 401, 'invalid_api_key');
  });

  it('refuses to disable the last enabled admin (409 last_admin), and hides other tenants (404)', async () => {
    const admin = await http.signup();
    const member = await invite(admin);
    await expectError(await http.post(`/api/users/${admin.user.id}/disable`, {}, { bearer: admin.accessToken }), 409, 'last_admin');
    await expectError(await http.post(`/api/users/${admin.user.id}/disable`, {}, { bearer: member.accessToken }), 403, 'admin_required');
    const outsider = await http.signup();
    await expectError(await http.post(`/api/users/${member.user.id}/disable`, {}, { bearer: outsider.accessToken }), 404, 'user_not_found');

    // A disabled admin does not count: with two admins, disabling one leaves the other as the last.
    const second = await invite(admin, 'admin');
    await expectJson(await http.post(`/api/users/${second.user.id}/disable`, {}, { bearer: admin.accessToken }), 200);
    await expectError(await http.delete(`/api/users/${admin.user.id}/roles/admin`, { bearer: admin.accessToken }), 409, 'last_admin');
    await expectJson(await http.post(`/api/users/${second.user.id}/enable`, {}, { bearer: admin.accessToken }), 200);
    await expectJson(await http.delete(`/api/users/${admin.user.id}/roles/admin`, { bearer: admin.accessToken }), 200);
  });
  it('does not count a disabled user made admin: the last enabled admin still cannot step down', async () => {
    const admin = await http.signup();
    const member = await invite(admin);
    await expectJson(await http.post(`/api/users/${member.user.id}/disable`, {}, { bearer: admin.accessToken }), 200);
    await expectJson(await http.post(`/api/users/${member.user.id}/roles`, { role: 'admin' }, { bearer: admin.accessToken }), 200);
    await expectError(await http.delete(`/api/users/${admin.user.id}/roles/admin`, { bearer: admin.accessToken }), 409, 'last_admin');
    // Enabled again, the new admin counts.
    await expectJson(await http.post(`/api/users/${member.user.id}/enable`, {}, { bearer: admin.accessToken }), 200);
    await expectJson(await http.delete(`/api/users/${admin.user.id}/roles/admin`, { bearer: admin.accessToken }), 200);
  });
});

describe('DELETE /api/users/:id/sessions', () => {
  it("ends every session of a member (admin) or one's own; a member cannot end someone else's", async () => {
    const admin = await http.signup();
    const member = await invite(admin);
    const secondDevice = await http.login(member.user.email);
    await expectError(await http.delete(`/api/users/${admin.user.id}/sessions`, { bearer: member.accessToken }), 403, 'admin_required');

    const ended = await expectJson<{ endedSessions: number }>(await http.delete(`/api/users/${member.user.id}/sessions`, { bearer: admin.accessToken }), 200);
    expect(ended.endedSessions).toBe(2);
    for (const session of [member, secondDevice]) {
      await expectError(await http.get('/auth/me', { bearer: session.accessToken }), 401, 'session_ended');
      await expectError(await http.post('/auth/refresh', { refreshToken: session.refreshToken }), 401, 'invalid_refresh_token');
    }
    const again = await http.login(member.user.email);
    expect((await expectJson<{ endedSessions: number }>(await http.delete(`/api/users/${member.user.id}/sessions`, { bearer: again.accessToken }), 200)).endedSessions).toBe(1);
  });
});

describe('OpenAPI', () => {
  it('documents the administration routes, their pages and their errors', async () => {
    type Operation = { parameters?: Array<{ name: string; in: string }>; responses: Record<string, unknown> };
    const document = await expectJson<{ paths: Record<string, Record<string, Operation>>; components: { schemas: Record<string, { properties?: Record<string, unknown> }> } }>(
      await http.get('/openapi.json'),
      200,
    );
    const { paths, components } = document;
    const users = paths['/api/users']?.get;
    expect(users?.parameters?.map((parameter) => `${parameter.in}:${parameter.name}`)).toEqual(expect.arrayContaining(['query:limit', 'query:cursor', 'header:x-min-position']));
    expect(Object.keys(paths['/api/invitations'] ?? {}).sort()).toEqual(['get', 'post']);
    expect(Object.keys(paths['/api/invitations']?.post?.responses ?? {})).toContain('409');
    expect(Object.keys(paths['/api/invitations/{id}']?.delete?.responses ?? {})).toEqual(expect.arrayContaining(['204', '409']));
    expect(Object.keys(paths['/api/users/{id}/disable']?.post?.responses ?? {})).toEqual(expect.arrayContaining(['200', '409']));
    expect(paths['/api/users/{id}/enable']?.post).toBeDefined();
    expect(paths['/api/users/{id}/sessions']?.delete).toBeDefined();
    expect(Object.keys(paths['/api/users/{id}/roles/{role}']?.delete?.responses ?? {})).toContain('409');
    expect(components.schemas.TenantMemberPage?.properties).toHaveProperty(['nextCursor']);
    expect(components.schemas.TenantMember?.properties).toHaveProperty(['disabled']);
  });
});

describe('an API process before any worker has built the read model', () => {
  let apiOnly: TestApp;
  beforeAll(async () => {
    apiOnly = await startTestApp({ role: 'api', env: GENEROUS_LIMITS_ENV });
  });
  afterAll(async () => apiOnly?.stop());

  it('answers the lists 503 read_model_unavailable, naming what builds it', async () => {
    const client = new HttpClient(apiOnly.url);
    const admin = await client.signup();
    for (const path of ['/api/users', '/api/invitations']) {
      const error = await expectError(await client.get(path, { bearer: admin.accessToken }), 503, 'read_model_unavailable');
      expect(error.message).toMatch(/worker/);
    }
  });
});
