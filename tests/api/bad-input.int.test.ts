import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import { expectJson, GENEROUS_LIMITS_ENV, HttpClient, type AuthAnswer, type ErrorAnswer } from '../support/auth-http.js';
import { uniqueEmail } from '../support/identity-harness.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

/**
 * Bad input at the HTTP edge: each answer is a 4xx in the error format with
 * a request id, never a 500 and never an internal id.
 */
let app: TestApp;
let http: HttpClient;
let admin: AuthAnswer;

beforeAll(async () => {
  app = await startTestApp({
    env: {
      ...GENEROUS_LIMITS_ENV,
      OIDC_PROVIDERS: 'test',
      // Never reached: every request below is refused before the provider is asked.
      OIDC_TEST_ISSUER: 'http://127.0.0.1:9/issuer',
      OIDC_TEST_CLIENT_ID: 'chronicle',
      OIDC_TEST_CLIENT_SECRET: 'not-a-real-secret',
      OIDC_TEST_REDIRECT_URI: 'http://127.0.0.1:9/auth/oidc/test/callback',
    },
  });
  http = new HttpClient(app.url);
  admin = await http.signup();
});
afterAll(async () => app?.stop());

/** A 4xx in the error format, with a request id and nothing internal in it. */
async function expectRefused(response: Response, status: number, code: string): Promise<ErrorAnswer['error']> {
  expect(response.headers.get('x-request-id')).toBeTruthy();
  const body = await expectJson<ErrorAnswer>(response, status);
  expect(body.error.code).toBe(code);
  expect(JSON.stringify(body)).not.toMatch(/stream|eventId|user-[0-9a-f]{8}|at .*\.[jt]s:\d+/i);
  return body.error;
}

function rawPost(path: string, body: Buffer, headers: Record<string, string>): Promise<Response> {
  return fetch(`${app.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
}

describe('never a 500 for bad input', () => {
  it('answers malformed percent-encoding in a path parameter with 400', async () => {
    await expectRefused(await http.get('/auth/oidc/%E0%A4%A/login'), 400, 'invalid_path');
    await expectRefused(await http.delete('/api/api-keys/%E0%A4%A', { bearer: admin.accessToken }), 400, 'invalid_path');
  });

  it('answers a corrupt gzip body with 400', async () => {
    const corrupt = gzipSync(Buffer.from('{"email":"a@b.c"}')).subarray(0, 12);
    await expectRefused(await rawPost('/auth/login', corrupt, { 'content-encoding': 'gzip' }), 400, 'malformed_body_encoding');
  });

  it('answers a corrupt br body with 400', async () => {
    const corrupt = Buffer.concat([brotliCompressSync(Buffer.from('{"email":"a@b.c"}')), Buffer.from('garbage')]).reverse();
    await expectRefused(await rawPost('/auth/login', corrupt, { 'content-encoding': 'br' }), 400, 'malformed_body_encoding');
  });

  it('answers a NUL byte in a session id with 400', async () => {
    await expectRefused(await http.delete('/auth/sessions/%00', { bearer: admin.accessToken }), 400, 'invalid_path');
  });

  it('answers a NUL byte in an API key id with 400', async () => {
    await expectRefused(await http.delete('/api/api-keys/%00', { bearer: admin.accessToken }), 400, 'invalid_path');
  });

  it('answers a NUL in displayName with 422 naming the field', async () => {
    const error = await expectRefused(await http.post('/auth/signup', { email: uniqueEmail(), password: 'correct horse battery staple', displayName: 'a\u0000b' }), 422, 'validation_failed');
    expect(error.details).toEqual([expect.objectContaining({ path: 'displayName' })]);
  });

  it('answers a lone surrogate in displayName with 422 naming the field', async () => {
    const body = `{"email":"${uniqueEmail()}","password":"correct horse battery staple","displayName":"a\\ud800b"}`;
    const error = await expectRefused(await http.post('/auth/signup', body), 422, 'validation_failed');
    expect(error.details).toEqual([expect.objectContaining({ path: 'displayName' })]);
  });

  it('answers a NUL or a lone surrogate in an API key name with 422 naming the field', async () => {
    const nul = await expectRefused(await http.post('/api/api-keys', { name: 'a\u0000b' }, { bearer: admin.accessToken }), 422, 'validation_failed');
    expect(nul.details).toEqual([expect.objectContaining({ path: 'name' })]);
    const surrogate = await expectRefused(await http.post('/api/api-keys', '{"name":"a\\udc00"}', { bearer: admin.accessToken }), 422, 'validation_failed');
    expect(surrogate.details).toEqual([expect.objectContaining({ path: 'name' })]);
  });

  it('answers state=%00 at the OIDC callback with 400', async () => {
    await expectRefused(await http.get('/auth/oidc/test/callback?code=abc&state=%00'), 400, 'invalid_query');
  });

  it('answers DELETE /api/api-keys/constructor (a name every object has) with 404', async () => {
    await expectRefused(await http.delete('/api/api-keys/constructor', { bearer: admin.accessToken }), 404, 'api_key_not_found');
    await expectRefused(await http.delete('/api/api-keys/__proto__', { bearer: admin.accessToken }), 404, 'api_key_not_found');
  });
});
