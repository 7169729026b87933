import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { AccessTokens } from '../../auth/tokens/access-tokens.js';
import { KeyStore } from '../../auth/tokens/key-store.js';
import { systemRuntime } from '../../commands/runtime.js';
import { expectError, expectJson, GENEROUS_LIMITS_ENV, HttpClient, type AuthAnswer } from '../support/auth-http.js';
import { GOOD_PASSWORD } from '../support/identity-harness.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

let app: TestApp;
let http: HttpClient;

beforeAll(async () => {
  app = await startTestApp({ env: GENEROUS_LIMITS_ENV });
  http = new HttpClient(app.url);
});
afterAll(async () => app?.stop());

const refresh = (refreshToken: string, bearer?: string) => http.post('/auth/refresh', { refreshToken }, bearer === undefined ? {} : { bearer });

describe('refresh tokens', () => {
  it('rotate: each refresh answers a new pair, and a retry within the grace gets the current one back', async () => {
    const first = await http.signup();
    const second = await expectJson<AuthAnswer>(await refresh(first.refreshToken), 200);
    expect(second.refreshToken).not.toBe(first.refreshToken);
    expect(second.sessionId).toBe(first.sessionId);
    expect(second.user.id).toBe(first.user.id);
    const retried = await expectJson<AuthAnswer>(await refresh(first.refreshToken), 200);
    expect(retried.refreshToken).toBe(second.refreshToken);
  });

  it('a reused refresh token ends the whole family: the current refresh and access tokens fail too', async () => {
    const first = await http.signup();
    const second = await expectJson<AuthAnswer>(await refresh(first.refreshToken), 200);
    const third = await expectJson<AuthAnswer>(await refresh(second.refreshToken), 200);
    await expectError(await refresh(first.refreshToken), 401, 'refresh_token_reused');
    await expectError(await refresh(third.refreshToken), 401, 'invalid_refresh_token');
    await expectError(await http.get('/auth/me', { bearer: third.accessToken }), 401, 'session_ended');
  });

  it('is not stopped by a stale access token sent along out of habit', async () => {
    const first = await http.signup();
    await expectJson<AuthAnswer>(await refresh(first.refreshToken, 'stale.or.garbage'), 200);
  });

  it('answers 401 for an unknown token and 422 for a missing one', async () => {
    await expectError(await refresh('no-such-token'), 401, 'invalid_refresh_token');
    await expectError(await http.post('/auth/refresh', {}), 422, 'validation_failed');
  });
});

describe('POST /auth/logout', () => {
  it('answers 204; afterwards neither the refresh token nor the access token works, and a second logout is fine', async () => {
    const session = await http.signup();
    expect((await http.post('/auth/logout', { refreshToken: session.refreshToken })).status).toBe(204);
    await expectError(await refresh(session.refreshToken), 401, 'invalid_refresh_token');
    await expectError(await http.get('/auth/me', { bearer: session.accessToken }), 401, 'session_ended');
    expect((await http.post('/auth/logout', { refreshToken: session.refreshToken })).status).toBe(204);
  });
});

describe('GET /auth/me and GET /auth/verify', () => {
  it('answer the user and the token claims for a valid token', async () => {
    const session = await http.signup({ displayName: 'Alan' });
    expect(await expectJson(await http.get('/auth/me', { bearer: session.accessToken }), 200)).toEqual(session.user);
    const claims = await expectJson<Record<string, unknown>>(await http.get('/auth/verify', { bearer: session.accessToken }), 200);
    expect(claims).toMatchObject({ kind: 'user', userId: session.user.id, tenantId: session.user.tenantId, roles: session.user.roles, sessionId: session.sessionId });
    expect(Date.parse(String(claims.expiresAt)) - Date.parse(String(claims.issuedAt))).toBe(900_000);
  });

  it('answer 401 without a token, with WWW-Authenticate for a bad one', async () => {
    await expectError(await http.get('/auth/me'), 401, 'unauthenticated');
    await expectError(await http.get('/auth/verify'), 401, 'unauthenticated');
    const bad = await http.get('/auth/verify', { bearer: 'not-a-jwt' });
    expect(bad.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
    await expectError(bad, 401, 'invalid_token');
    await expectError(await http.get('/auth/me', { bearer: '' }), 401, 'invalid_token');
  });

  it('answer 401 for an expired token, signed with our own key', async () => {
    const session = await http.signup();
    const { config, knex } = app.services;
    const anHourAgo = { newId: systemRuntime().newId, now: () => new Date(Date.now() - 3_600_000) };
    const settings = { issuer: config.AUTH_ISSUER, audience: config.AUTH_AUDIENCE, ttlSeconds: 900, clockToleranceSeconds: 5, encrypt: false };
    const past = await AccessTokens.create(new KeyStore(knex), settings, anHourAgo);
    const { token } = await past.sign({ userId: session.user.id, tenantId: session.user.tenantId, roles: session.user.roles, sessionId: session.sessionId });
    await expectError(await http.get('/auth/me', { bearer: token }), 401, 'invalid_token');
    await expectError(await http.get('/auth/verify', { bearer: token }), 401, 'invalid_token');
  });

  it('answer 401 for a tampered token and for alg none', async () => {
    const session = await http.signup();
    const [header = '', payload = '', signature = ''] = session.accessToken.split('.');
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
    const forged = Buffer.from(JSON.stringify({ ...claims, roles: ['admin', 'operator'] })).toString('base64url');
    await expectError(await http.get('/auth/verify', { bearer: `${header}.${forged}.${signature}` }), 401, 'invalid_token');
    const flipped = `${signature.slice(0, -2)}${signature.endsWith('AA') ? 'BB' : 'AA'}`;
    await expectError(await http.get('/auth/verify', { bearer: `${header}.${payload}.${flipped}` }), 401, 'invalid_token');
    const none = Buffer.from(JSON.stringify({ alg: 'none', typ: 'at+jwt' })).toString('base64url');
    await expectError(await http.get('/auth/me', { bearer: `${none}.${forged}.` }), 401, 'invalid_token');
  });
});

describe('GET /.well-known/jwks.json', () => {
  it('verifies a token issued over HTTP with jose, as another service would', async () => {
    const session = await http.signup();
    const response = await http.get('/.well-known/jwks.json');
    const jwks = await expectJson<{ keys: Array<Record<string, unknown>> }>(response, 200);
    expect(jwks.keys.length).toBeGreaterThan(0);
    expect(JSON.stringify(jwks)).not.toMatch(/"d":/);
    const remote = createRemoteJWKSet(new URL(`${app.url}/.well-known/jwks.json`));
    const { payload, protectedHeader } = await jwtVerify(session.accessToken, remote, {
      issuer: app.services.config.AUTH_ISSUER,
      audience: 'chronicle-api',
      algorithms: ['ES256'],
      typ: 'at+jwt',
    });
    expect(protectedHeader.kid).toEqual(expect.any(String));
    expect(payload).toMatchObject({ sub: session.user.id, tenant: session.user.tenantId, sid: session.sessionId });
  });
});

describe('sessions and passwords', () => {
  it('lists the open sessions, marks the current one, and ends another (its tokens stop at once)', async () => {
    const phone = await http.signup();
    const laptop = await http.login(phone.user.email);
    const listed = await expectJson<{ items: Array<{ id: string; current: boolean; ip: string | null }> }>(await http.get('/auth/sessions', { bearer: laptop.accessToken }), 200);
    expect(listed.items.map((s) => s.id).sort()).toEqual([phone.sessionId, laptop.sessionId].sort());
    expect(listed.items.find((s) => s.current)?.id).toBe(laptop.sessionId);
    expect(listed.items[0]?.ip).toEqual(expect.any(String));

    expect((await http.delete(`/auth/sessions/${phone.sessionId}`, { bearer: laptop.accessToken })).status).toBe(204);
    await expectError(await http.get('/auth/me', { bearer: phone.accessToken }), 401, 'session_ended');
    await expectError(await refresh(phone.refreshToken), 401, 'invalid_refresh_token');
    const after = await expectJson<{ items: unknown[] }>(await http.get('/auth/sessions', { bearer: laptop.accessToken }), 200);
    expect(after.items).toHaveLength(1);
  });

  it("answers 404 for a session that is not the user's own", async () => {
    const mine = await http.signup();
    const theirs = await http.signup();
    await expectError(await http.delete(`/auth/sessions/${theirs.sessionId}`, { bearer: mine.accessToken }), 404, 'session_not_found');
    expect((await http.get('/auth/me', { bearer: theirs.accessToken })).status).toBe(200);
  });

  it('changes the password (204) and ends every other session, keeping this one', async () => {
    const here = await http.signup();
    const elsewhere = await http.login(here.user.email);
    const newPassword = 'an entirely new passphrase';
    const body = { currentPassword: GOOD_PASSWORD, newPassword };
    expect((await http.post('/auth/password', body, { bearer: here.accessToken })).status).toBe(204);
    await expectError(await http.get('/auth/me', { bearer: elsewhere.accessToken }), 401, 'session_ended');
    await expectError(await refresh(elsewhere.refreshToken), 401, 'invalid_refresh_token');
    expect((await http.get('/auth/me', { bearer: here.accessToken })).status).toBe(200);
    await expectError(await http.post('/auth/login', { email: here.user.email, password: GOOD_PASSWORD }), 401, 'invalid_credentials');
    await http.login(here.user.email, newPassword);
  });

  it('refuses a wrong current password (401), a weak new one (422) and an anonymous caller (401)', async () => {
    const session = await http.signup();
    await expectError(await http.post('/auth/password', { currentPassword: 'wrong password!', newPassword: 'another fine passphrase' }, { bearer: session.accessToken }), 401, 'invalid_credentials');
    await expectError(await http.post('/auth/password', { currentPassword: GOOD_PASSWORD, newPassword: 'short' }, { bearer: session.accessToken }), 422, 'weak_password');
    await expectError(await http.post('/auth/password', { currentPassword: GOOD_PASSWORD, newPassword: 'another fine passphrase' }), 401, 'unauthenticated');
  });
});
