import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { expectError, expectJson, GENEROUS_LIMITS_ENV, HttpClient, type AuthAnswer } from '../support/auth-http.js';
import { uniqueEmail } from '../support/identity-harness.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

interface RolesAnswer {
  id: string;
  revision: string;
  position: string | null;
  roles: string[];
}

let app: TestApp;
let http: HttpClient;
/** The first account of this fresh installation, hence its operator. */
let operator: AuthAnswer;
let admin: AuthAnswer;
let member: AuthAnswer;

beforeAll(async () => {
  app = await startTestApp({ env: GENEROUS_LIMITS_ENV });
  http = new HttpClient(app.url);
  operator = await http.signup({ displayName: 'First' });
  admin = await http.signup({ displayName: 'Admin' });
  member = await invite(admin, uniqueEmail('member'));
});
afterAll(async () => app?.stop());

/** An admin invites an email, and the invitee signs up with the token. */
async function invite(by: AuthAnswer, email: string, role?: 'admin' | 'member'): Promise<AuthAnswer> {
  const invitation = await expectJson<{ token: string; email: string; role: string }>(
    await http.post('/api/invitations', { email, ...(role ? { role } : {}) }, { bearer: by.accessToken }),
    201,
  );
  expect(invitation).toMatchObject({ email, role: role ?? 'member' });
  return http.signup({ email, invitationToken: invitation.token });
}

describe('the operator role guards /api/admin/*', () => {
  it('answers 401 anonymous, 403 to a tenant admin, 200 to the first account of the installation', async () => {
    expect(operator.user.roles).toContain('operator');
    expect(admin.user.roles).not.toContain('operator');
    await expectError(await http.get('/api/admin/projections'), 401, 'unauthenticated');
    await expectError(await http.get('/api/admin/projections', { bearer: member.accessToken }), 403, 'operator_required');
    await expectError(await http.get('/api/admin/projections', { bearer: admin.accessToken }), 403, 'operator_required');
    const statuses = await expectJson<Array<{ name: string }>>(await http.get('/api/admin/projections', { bearer: operator.accessToken }), 200);
    expect(statuses.length).toBeGreaterThan(0);
  });
});

describe('POST /api/invitations', () => {
  it("lets an invitee join the admin's tenant as a member; the token works once", async () => {
    expect(member.user).toMatchObject({ tenantId: admin.user.tenantId, roles: ['member'] });
    const email = uniqueEmail('once');
    const invitation = await expectJson<{ token: string }>(await http.post('/api/invitations', { email }, { bearer: admin.accessToken }), 201);
    await http.signup({ email, invitationToken: invitation.token });
    await expectError(await http.post('/auth/signup', { email: uniqueEmail(), password: 'a fine long passphrase', invitationToken: invitation.token }), 409, 'invitation_used');
  });

  it('can invite an admin', async () => {
    const second = await invite(admin, uniqueEmail('coadmin'), 'admin');
    expect(second.user).toMatchObject({ tenantId: admin.user.tenantId, roles: ['admin'] });
  });

  it('refuses members (403), anonymous callers (401) and bad bodies (422)', async () => {
    await expectError(await http.post('/api/invitations', { email: uniqueEmail() }, { bearer: member.accessToken }), 403, 'admin_required');
    await expectError(await http.post('/api/invitations', { email: uniqueEmail() }), 401, 'unauthenticated');
    await expectError(await http.post('/api/invitations', { email: uniqueEmail(), role: 'operator' }, { bearer: admin.accessToken }), 422, 'validation_failed');
    await expectError(await http.post('/api/invitations', { email: 'nope' }, { bearer: admin.accessToken }), 422, 'validation_failed');
  });
});

describe('roles', () => {
  it('a member cannot grant; an admin can, and the answer carries the revision as ETag', async () => {
    const target = await invite(admin, uniqueEmail('promoted'));
    await expectError(await http.post(`/api/users/${target.user.id}/roles`, { role: 'admin' }, { bearer: member.accessToken }), 403, 'admin_required');
    const granted = await http.post(`/api/users/${target.user.id}/roles`, { role: 'admin' }, { bearer: admin.accessToken });
    const body = await expectJson<RolesAnswer>(granted, 200);
    expect(body).toMatchObject({ id: target.user.id, roles: expect.arrayContaining(['member', 'admin']) });
    expect(granted.headers.get('etag')).toBe(`"${body.revision}"`);
    expect(body.position).toMatch(/^\d+$/);
    // The new role reaches tokens at the next refresh.
    const refreshed = await expectJson<AuthAnswer>(await http.post('/auth/refresh', { refreshToken: target.refreshToken }), 200);
    expect(refreshed.user.roles).toContain('admin');
  });

  it('answers 412 for a stale If-Match, and applies a current one', async () => {
    const target = await invite(admin, uniqueEmail('conditional'));
    const first = await expectJson<RolesAnswer>(await http.post(`/api/users/${target.user.id}/roles`, { role: 'admin' }, { bearer: admin.accessToken }), 200);
    const stale = `"${BigInt(first.revision) - 1n}"`;
    const refused = await expectError(await http.delete(`/api/users/${target.user.id}/roles/admin`, { bearer: admin.accessToken, headers: { 'if-match': stale } }), 412, 'precondition_failed');
    expect(refused.details).toEqual([expect.objectContaining({ actualRevision: first.revision })]);
    await expectError(await http.post(`/api/users/${target.user.id}/roles`, { role: 'member' }, { bearer: admin.accessToken, headers: { 'if-match': stale } }), 412, 'precondition_failed');
    const revoked = await expectJson<RolesAnswer>(
      await http.delete(`/api/users/${target.user.id}/roles/admin`, { bearer: admin.accessToken, headers: { 'if-match': `"${first.revision}"` } }),
      200,
    );
    expect(revoked.roles).not.toContain('admin');
    await expectError(await http.delete(`/api/users/${target.user.id}/roles/admin`, { bearer: admin.accessToken, headers: { 'if-match': 'yesterday' } }), 400, 'invalid_if_match');
  });

  it("hides other tenants' users (404) and keeps operator for operators (403)", async () => {
    const outsider = await http.signup();
    await expectError(await http.post(`/api/users/${member.user.id}/roles`, { role: 'admin' }, { bearer: outsider.accessToken }), 404, 'user_not_found');
    await expectError(await http.post(`/api/users/${member.user.id}/roles`, { role: 'operator' }, { bearer: admin.accessToken }), 403, 'operator_required');
  });

  it('lets the operator make an admin an operator, who then reaches /api/admin', async () => {
    const promoted = await http.signup();
    await expectJson(await http.post(`/api/users/${promoted.user.id}/roles`, { role: 'operator' }, { bearer: operator.accessToken }), 200);
    const refreshed = await expectJson<AuthAnswer>(await http.post('/auth/refresh', { refreshToken: promoted.refreshToken }), 200);
    expect((await http.get('/api/admin/projections', { bearer: refreshed.accessToken })).status).toBe(200);
  });

  it('answers 422 for an unknown role in the body and 400 in the path', async () => {
    await expectError(await http.post(`/api/users/${member.user.id}/roles`, { role: 'owner' }, { bearer: admin.accessToken }), 422, 'validation_failed');
    await expectError(await http.delete(`/api/users/${member.user.id}/roles/owner`, { bearer: admin.accessToken }), 400, 'invalid_path');
  });
});
