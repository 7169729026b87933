import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { expectError, expectJson, GENEROUS_LIMITS_ENV, HttpClient, type AuthAnswer } from '../support/auth-http.js';
import { uniqueEmail } from '../support/identity-harness.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

/**
 * Two API processes of one installation (one database): each keeps open
 * sessions and current users between requests, and must hear of every change
 * made by the other, or by anything else writing to the database, within
 * moments. Each case first has the changed credential answered by the process
 * that must later refuse it, so that the answer would come from its cache.
 */
let a: TestApp;
let b: TestApp;
let httpA: HttpClient;
let httpB: HttpClient;
let admin: AuthAnswer;
let sql: pg.Client;

/** Long enough for a notification on a busy machine; a cache nobody tells would answer 200 for ever. */
const HEARD_WITHIN_MS = 3_000;

beforeAll(async () => {
  a = await startTestApp({ env: GENEROUS_LIMITS_ENV });
  b = await startTestApp({ env: GENEROUS_LIMITS_ENV, databaseUrl: a.services.databaseUrl });
  httpA = new HttpClient(a.url);
  httpB = new HttpClient(b.url);
  sql = new pg.Client(a.services.databaseUrl);
  await sql.connect();
  await httpA.signup(); // the installation's operator, out of the way
  admin = await httpA.signup();
}, 60_000);
afterAll(async () => {
  await sql?.end();
  await b?.stop();
  await a?.stop();
});

/** Asks until the answer has the status, or the time is up (then fails with the last answer). */
async function eventually(http: HttpClient, path: string, bearer: string, status: number): Promise<Response> {
  const deadline = Date.now() + HEARD_WITHIN_MS;
  for (;;) {
    const response = await http.get(path, { bearer });
    if (response.status === status || Date.now() > deadline) return response;
    await response.arrayBuffer();
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function invitedMember(): Promise<AuthAnswer> {
  const email = uniqueEmail('member');
  const invitation = await expectJson<{ token: string }>(await httpA.post('/api/invitations', { email }, { bearer: admin.accessToken }), 201);
  return httpA.signup({ email, invitationToken: invitation.token });
}

describe('sessions and users kept between requests', () => {
  it('a logout in one process is refused at once there, and soon by the other process', async () => {
    const user = await httpA.signup();
    await expectJson(await httpA.get('/auth/verify', { bearer: user.accessToken }), 200);
    await expectJson(await httpB.get('/auth/verify', { bearer: user.accessToken }), 200);

    await expectJson(await httpA.post('/auth/logout', { refreshToken: user.refreshToken }), 204);
    await expectError(await httpA.get('/auth/verify', { bearer: user.accessToken }), 401, 'session_ended');
    await expectError(await eventually(httpB, '/auth/verify', user.accessToken, 401), 401, 'session_ended');
  });

  it('a role revoked and a user disabled through one process apply in the other', async () => {
    const member = await invitedMember();
    await expectJson(await httpA.post(`/api/users/${member.user.id}/roles`, { role: 'admin' }, { bearer: admin.accessToken }), 200);
    const promoted = await expectJson<AuthAnswer>(await httpA.post('/auth/refresh', { refreshToken: member.refreshToken }), 200);
    const rolesSeenByB = async () => (await expectJson<{ roles: string[] }>(await httpB.get('/auth/verify', { bearer: promoted.accessToken }), 200)).roles;
    expect(await rolesSeenByB()).toContain('admin');

    await expectJson(await httpA.delete(`/api/users/${member.user.id}/roles/admin`, { bearer: admin.accessToken }), 200);
    const deadline = Date.now() + HEARD_WITHIN_MS;
    while ((await rolesSeenByB()).includes('admin') && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(await rolesSeenByB()).not.toContain('admin');

    await expectJson(await httpA.post(`/api/users/${member.user.id}/disable`, {}, { bearer: admin.accessToken }), 200);
    await expectError(await eventually(httpB, '/auth/verify', promoted.accessToken, 401), 401, 'session_ended');
  });

  it('a session ended by any writer of the database (here plain SQL) is refused by both processes', async () => {
    const user = await httpA.signup();
    await expectJson(await httpA.get('/auth/verify', { bearer: user.accessToken }), 200);
    await expectJson(await httpB.get('/auth/verify', { bearer: user.accessToken }), 200);

    await sql.query(`UPDATE auth_sessions SET revoked_at = now(), revoked_reason = 'ended_by_admin' WHERE id = $1`, [user.sessionId]);
    await expectError(await eventually(httpA, '/auth/verify', user.accessToken, 401), 401, 'session_ended');
    await expectError(await eventually(httpB, '/auth/verify', user.accessToken, 401), 401, 'session_ended');
  });

  it('what changed while a process was not listening is not served from what it kept before', async () => {
    const user = await httpA.signup();
    await expectJson(await httpB.get('/auth/verify', { bearer: user.accessToken }), 200);

    // Both processes' listeners lose their connection; the change commits while nobody listens, so nobody hears of it.
    await sql.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'chronicle-auth-listener' AND datname = current_database()`);
    await sql.query(`UPDATE auth_sessions SET revoked_at = now(), revoked_reason = 'ended_by_admin' WHERE id = $1`, [user.sessionId]);
    await listenersBack(2);
    // Listening again, the process must not trust what it kept from before: every answer from now on is a refusal.
    for (let i = 0; i < 10; i++) {
      await expectError(await httpB.get('/auth/verify', { bearer: user.accessToken }), 401, 'session_ended');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const other = await httpA.signup();
    await expectJson(await httpB.get('/auth/verify', { bearer: other.accessToken }), 200);
  });
});

/** Until `count` authentication listeners are connected to the database and listening. */
async function listenersBack(count: number): Promise<void> {
  const deadline = Date.now() + HEARD_WITHIN_MS;
  for (;;) {
    const { rows } = await sql.query<{ listening: string }>(
      `SELECT count(*) AS listening FROM pg_stat_activity WHERE application_name = 'chronicle-auth-listener' AND datname = current_database() AND query LIKE 'LISTEN%'`,
    );
    if (Number(rows[0]?.listening) >= count) break;
    if (Date.now() > deadline) throw new Error(`the authentication listeners did not come back within ${HEARD_WITHIN_MS} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  // The LISTEN has answered; the process hears of it a moment later.
  await new Promise((resolve) => setTimeout(resolve, 200));
}
