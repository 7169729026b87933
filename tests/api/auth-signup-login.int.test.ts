import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { GOOD_PASSWORD, uniqueEmail } from '../support/identity-harness.js';
import { expectError, expectJson, GENEROUS_LIMITS_ENV, HttpClient, type AuthAnswer } from '../support/auth-http.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

let app: TestApp;
let http: HttpClient;

beforeAll(async () => {
  app = await startTestApp({ env: GENEROUS_LIMITS_ENV });
  http = new HttpClient(app.url);
});
afterAll(async () => app?.stop());

describe('POST /auth/signup', () => {
  it('answers 201 with the user, an access token and a refresh token', async () => {
    const email = uniqueEmail('ada');
    const response = await http.post('/auth/signup', { email: email.toUpperCase(), password: GOOD_PASSWORD, displayName: 'Ada' });
    expect(response.headers.get('cache-control')).toBe('no-store');
    const body = await expectJson<AuthAnswer>(response, 201);
    expect(body).toMatchObject({ user: { email, displayName: 'Ada', roles: expect.arrayContaining(['admin']) }, expiresIn: 900 });
    expect(body.user.tenantId).toEqual(expect.any(String));
    expect(body.accessToken.split('.')).toHaveLength(3);
    expect(body.refreshToken).toEqual(expect.any(String));
  });

  it('answers 409 email_taken for an email that has an account, in any case', async () => {
    const email = uniqueEmail('twice');
    await http.signup({ email });
    await expectError(await http.post('/auth/signup', { email: email.toUpperCase(), password: GOOD_PASSWORD }), 409, 'email_taken');
  });

  it('lets exactly one of 20 concurrent signups with one email win; the others get 409', async () => {
    const email = uniqueEmail('race');
    const responses = await Promise.all(Array.from({ length: 20 }, () => http.post('/auth/signup', { email, password: GOOD_PASSWORD })));
    const statuses = responses.map((response) => response.status).sort();
    expect(statuses).toEqual([201, ...Array.from({ length: 19 }, () => 409)]);
    const codes = await Promise.all(responses.filter((r) => r.status === 409).map(async (r) => ((await r.json()) as { error: { code: string } }).error.code));
    expect(new Set(codes)).toEqual(new Set(['email_taken']));
    await http.login(email);
  });

  it('answers 422 weak_password for a short password or the email as password, naming the field', async () => {
    const email = uniqueEmail('weak');
    const short = await expectError(await http.post('/auth/signup', { email, password: 'short' }), 422, 'weak_password');
    expect(short.details).toEqual([expect.objectContaining({ path: 'password' })]);
    expect(JSON.stringify(short)).not.toContain('short"');
    await expectError(await http.post('/auth/signup', { email, password: email }), 422, 'weak_password');
  });

  it('answers 400 for a body that is not JSON, or not a JSON object, and 415 for another media type', async () => {
    await expectError(await http.post('/auth/signup', '{"email": '), 400, 'malformed_json');
    await expectError(await http.post('/auth/signup', '[]'), 400, 'malformed_body');
    await expectError(await http.post('/auth/signup', 'email=a@b.c', { headers: { 'content-type': 'application/x-www-form-urlencoded' } }), 415, 'unsupported_media_type');
  });

  it('answers 422 with details for a missing field, a bad email, a wrong type or an unknown field', async () => {
    const missing = await expectError(await http.post('/auth/signup', { email: uniqueEmail() }), 422, 'validation_failed');
    expect(missing.details).toEqual([expect.objectContaining({ path: 'password' })]);
    await expectError(await http.post('/auth/signup', { email: 'not-an-email', password: GOOD_PASSWORD }), 422, 'validation_failed');
    await expectError(await http.post('/auth/signup', { email: uniqueEmail(), password: 12345678 }), 422, 'validation_failed');
    const unknown = await expectError(await http.post('/auth/signup', { email: uniqueEmail(), password: GOOD_PASSWORD, roles: ['operator'] }), 422, 'validation_failed');
    expect(unknown.details).toEqual([expect.objectContaining({ code: 'unrecognized_keys' })]);
  });

  it('answers 404 for an invitation token that names no invitation', async () => {
    await expectError(await http.post('/auth/signup', { email: uniqueEmail(), password: GOOD_PASSWORD, invitationToken: 'chi_nope' }), 404, 'invitation_not_found');
  });
});

describe('POST /auth/login', () => {
  it('answers 200 with fresh tokens for the right password', async () => {
    const signup = await http.signup({ displayName: 'Grace' });
    const login = await http.login(signup.user.email);
    expect(login.user).toEqual(signup.user);
    expect(login.sessionId).not.toBe(signup.sessionId);
    expect(login.refreshToken).not.toBe(signup.refreshToken);
  });

  it('gives a wrong password and an unknown email the very same 401 body', async () => {
    const { user } = await http.signup();
    const wrong = await http.post('/auth/login', { email: user.email, password: 'not the password at all' });
    const unknown = await http.post('/auth/login', { email: uniqueEmail('nobody'), password: 'not the password at all' });
    const wrongBody = await expectJson<unknown>(wrong, 401);
    const unknownBody = await expectJson<unknown>(unknown, 401);
    expect(wrongBody).toEqual({ error: { code: 'invalid_credentials', message: 'the email or password is incorrect' } });
    expect(unknownBody).toEqual(wrongBody);
  });

  it('refuses malformed and invalid bodies without a 500', async () => {
    await expectError(await http.post('/auth/login', '{'), 400, 'malformed_json');
    await expectError(await http.post('/auth/login', { email: uniqueEmail() }), 422, 'validation_failed');
    await expectError(await http.post('/auth/login', { email: uniqueEmail(), password: 'x'.repeat(5000) }), 422, 'validation_failed');
  });
});
