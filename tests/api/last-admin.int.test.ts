import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { expectError, expectJson, GENEROUS_LIMITS_ENV, HttpClient, type AuthAnswer } from '../support/auth-http.js';
import { uniqueEmail } from '../support/identity-harness.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

let app: TestApp;
let http: HttpClient;

beforeAll(async () => {
  app = await startTestApp({ env: GENEROUS_LIMITS_ENV });
  http = new HttpClient(app.url);
  await http.signup(); // the installation's operator, out of the way
});
afterAll(async () => app?.stop());

async function invite(admin: AuthAnswer, role: 'admin' | 'member'): Promise<AuthAnswer> {
  const email = uniqueEmail(role);
  const invitation = await expectJson<{ token: string }>(await http.post('/api/invitations', { email, role }, { bearer: admin.accessToken }), 201);
  return http.signup({ email, invitationToken: invitation.token });
}

const dropAdmin = (who: AuthAnswer, by: AuthAnswer = who) => http.delete(`/api/users/${who.user.id}/roles/admin`, { bearer: by.accessToken });

describe('a tenant is never left without an admin', () => {
  it('refuses the only admin dropping their own role (409 last_admin), and changes nothing', async () => {
    const admin = await http.signup();
    await expectError(await dropAdmin(admin), 409, 'last_admin');
    const me = await expectJson<{ roles: string[] }>(await http.get('/auth/me', { bearer: admin.accessToken }), 200);
    expect(me.roles).toContain('admin');
    await expectJson(await http.post('/api/api-keys', { name: 'still admin' }, { bearer: admin.accessToken }), 201);
  });

  it('lets an admin step down once another admin exists, granted or invited, and then refuses the last one', async () => {
    const founder = await http.signup();
    const promoted = await invite(founder, 'member');
    await expectJson(await http.post(`/api/users/${promoted.user.id}/roles`, { role: 'admin' }, { bearer: founder.accessToken }), 200);
    await expectJson(await dropAdmin(founder), 200);
    await expectError(await dropAdmin(promoted), 409, 'last_admin');

    const invitedAdmin = await invite(promoted, 'admin');
    await expectJson(await dropAdmin(promoted), 200);
    await expectError(await dropAdmin(invitedAdmin), 409, 'last_admin');
  });

  it('of two admins stepping down at the same moment, exactly one succeeds', async () => {
    const first = await http.signup();
    const second = await invite(first, 'admin');
    const answers = await Promise.all([dropAdmin(first), dropAdmin(second)]);
    expect(answers.map((answer) => answer.status).sort()).toEqual([200, 409]);
    await Promise.all(answers.map((answer) => answer.arrayBuffer()));
    const rolesNow = await Promise.all(
      [first, second].map(async (who) => (await expectJson<{ roles: string[] }>(await http.get('/auth/me', { bearer: who.accessToken }), 200)).roles),
    );
    expect(rolesNow.filter((roles) => roles.includes('admin'))).toHaveLength(1);
  });

  it('a stale If-Match changes nothing, not even the roster', async () => {
    const first = await http.signup();
    const second = await invite(first, 'admin');
    await expectError(await http.delete(`/api/users/${first.user.id}/roles/admin`, { bearer: first.accessToken, headers: { 'if-match': '"0"' } }), 412, 'precondition_failed');
    await expectJson(await dropAdmin(second), 200);
    await expectError(await dropAdmin(first), 409, 'last_admin');
  });
});
