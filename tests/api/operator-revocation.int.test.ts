import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { expectError, expectJson, GENEROUS_LIMITS_ENV, HttpClient, type AuthAnswer } from '../support/auth-http.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

let app: TestApp;
let http: HttpClient;

beforeAll(async () => {
  app = await startTestApp({ env: GENEROUS_LIMITS_ENV });
  http = new HttpClient(app.url);
});
afterAll(async () => app?.stop());

describe("the first account's operator role", () => {
  it('can be revoked for good: later logins do not grant it again', async () => {
    const first = await http.signup();
    const second = await http.signup();
    expect(first.user.roles).toContain('operator');
    // A second operator, so that the installation keeps one.
    await expectJson(await http.post(`/api/users/${second.user.id}/roles`, { role: 'operator' }, { bearer: first.accessToken }), 200);

    const revoked = await expectJson<{ roles: string[] }>(await http.delete(`/api/users/${first.user.id}/roles/operator`, { bearer: second.accessToken }), 200);
    expect(revoked.roles).not.toContain('operator');

    for (let i = 0; i < 2; i++) {
      const again = await http.login(first.user.email);
      expect(again.user.roles).not.toContain('operator');
      await expectError(await http.get('/api/admin/projections', { bearer: again.accessToken }), 403, 'operator_required');
    }
    const me = await expectJson<AuthAnswer['user']>(await http.get('/auth/me', { bearer: first.accessToken }), 200);
    expect(me.roles).not.toContain('operator');

    // An operator may grant it back on purpose.
    await expectJson(await http.post(`/api/users/${first.user.id}/roles`, { role: 'operator' }, { bearer: second.accessToken }), 200);
    expect((await http.get('/api/admin/projections', { bearer: first.accessToken })).status).toBe(200);
  });
});
