import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { expectError, expectJson, GENEROUS_LIMITS_ENV, HttpClient, type AuthAnswer } from '../support/auth-http.js';
import { uniqueEmail } from '../support/identity-harness.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

let app: TestApp;
let http: HttpClient;
let admin: AuthAnswer;

beforeAll(async () => {
  app = await startTestApp({ env: GENEROUS_LIMITS_ENV });
  http = new HttpClient(app.url);
  await http.signup(); // the installation's operator, out of the way
  admin = await http.signup();
});
afterAll(async () => app?.stop());

async function invitedMember(): Promise<AuthAnswer> {
  const email = uniqueEmail('member');
  const invitation = await expectJson<{ token: string }>(await http.post('/api/invitations', { email }, { bearer: admin.accessToken }), 201);
  return http.signup({ email, invitationToken: invitation.token });
}

describe('a role change applies to the next request with tokens already issued', () => {
  it('a granted admin role works at once with the access token issued before it', async () => {
    const member = await invitedMember();
    await expectError(await http.post('/api/api-keys', { name: 'before' }, { bearer: member.accessToken }), 403, 'admin_required');
    await expectJson(await http.post(`/api/users/${member.user.id}/roles`, { role: 'admin' }, { bearer: admin.accessToken }), 200);

    await expectJson(await http.post('/api/api-keys', { name: 'after' }, { bearer: member.accessToken }), 201);
    const verified = await expectJson<{ roles: string[] }>(await http.get('/auth/verify', { bearer: member.accessToken }), 200);
    expect(verified.roles).toEqual(expect.arrayContaining(['member', 'admin']));
  });

  it('a revoked admin role stops at once: no API keys, no invitations with the old token', async () => {
    const member = await invitedMember();
    await expectJson(await http.post(`/api/users/${member.user.id}/roles`, { role: 'admin' }, { bearer: admin.accessToken }), 200);
    const promoted = await expectJson<AuthAnswer>(await http.post('/auth/refresh', { refreshToken: member.refreshToken }), 200);
    expect(promoted.user.roles).toContain('admin');

    await expectJson(await http.delete(`/api/users/${member.user.id}/roles/admin`, { bearer: admin.accessToken }), 200);
    await expectError(await http.post('/api/api-keys', { name: 'late' }, { bearer: promoted.accessToken }), 403, 'admin_required');
    await expectError(await http.post('/api/invitations', { email: uniqueEmail(), role: 'admin' }, { bearer: promoted.accessToken }), 403, 'admin_required');
    const verified = await expectJson<{ roles: string[] }>(await http.get('/auth/verify', { bearer: promoted.accessToken }), 200);
    expect(verified.roles).not.toContain('admin');
  });
});
