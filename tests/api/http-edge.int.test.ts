import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { expectError, expectJson, GENEROUS_LIMITS_ENV, HttpClient, type AuthAnswer, type ErrorAnswer } from '../support/auth-http.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

/** The small things a client meets at the HTTP edge: where Location points, what a refusal says, how big it is, what the log keeps. */
let app: TestApp;
let http: HttpClient;
let admin: AuthAnswer;
const logged: string[] = [];

beforeAll(async () => {
  app = await startTestApp({ env: { ...GENEROUS_LIMITS_ENV, LOG_LEVEL: 'info' }, logDestination: { write: (line: string) => void logged.push(line) } });
  http = new HttpClient(app.url);
  admin = await http.signup();
});
afterAll(async () => app?.stop());

describe('the HTTP edge', () => {
  it('points the Location of a new API key at the key', async () => {
    const response = await http.post('/api/api-keys', { name: 'located' }, { bearer: admin.accessToken });
    const issued = await expectJson<{ id: string }>(response, 201);
    const location = response.headers.get('location');
    expect(location).toBe(`/api/api-keys/${issued.id}`);
    const key = await expectJson<{ id: string; name: string; key?: string }>(await http.get(location!, { bearer: admin.accessToken }), 200);
    expect(key).toMatchObject({ id: issued.id, name: 'located' });
    expect(key.key).toBeUndefined();
    await expectError(await http.get('/api/api-keys/no-such-key', { bearer: admin.accessToken }), 404, 'api_key_not_found');
  });

  it('calls a body of null JSON, just not an object', async () => {
    const error = await expectError(await http.post('/auth/login', 'null'), 400, 'malformed_body');
    expect(error.message).not.toMatch(/not valid JSON/);
    await expectError(await http.post('/auth/login', '{"email": '), 400, 'malformed_json');
  });

  it('answers a body of another content type with 415', async () => {
    await expectError(await http.post('/auth/login', 'email=a@b.c', { headers: { 'content-type': 'application/x-www-form-urlencoded' } }), 415, 'unsupported_media_type');
    await expectError(await http.post('/auth/login', '{}', { headers: { 'content-type': 'text/plain' } }), 415, 'unsupported_media_type');
  });

  it('caps the details of an error: 40,000 unknown keys make a small answer', async () => {
    const body: Record<string, unknown> = { email: 'someone@example.com', password: 'whatever' };
    for (let i = 0; i < 40_000; i++) body[`k${i}`] = 1;
    const response = await http.post('/auth/login', body);
    const text = await response.text();
    expect(response.status).toBe(422);
    expect(text.length).toBeLessThan(8_000);
    expect((JSON.parse(text) as ErrorAnswer).error.code).toBe('validation_failed');
  });

  it('answers headers over the limit with 431 in the error format, with a request id', async () => {
    const response = await fetch(`${app.url}/healthz`, { headers: { 'x-padding': 'x'.repeat(64 * 1024) } });
    expect(response.status).toBe(431);
    expect(response.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(((await response.json()) as ErrorAnswer).error.code).toBe('headers_too_large');
  });

  it('keeps credentials in a query string out of the log', async () => {
    const secrets = ['id_token', 'refresh_token', 'api_key', 'password', 'client_secret'].map((name) => [name, `secret-${name}-c0ffee`] as const);
    const query = secrets.map(([name, value]) => `${name}=${value}`).join('&');
    const requestId = 'redaction-check-1';
    await (await fetch(`${app.url}/no/such/route?${query}&page=2`, { headers: { 'x-request-id': requestId } })).arrayBuffer();
    const deadline = Date.now() + 5_000;
    while (!logged.some((line) => line.includes(requestId)) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    const lines = logged.filter((line) => line.includes(requestId)).join('');
    expect(lines).toContain('page=2');
    for (const [name, value] of secrets) {
      expect(lines).toContain(`${name}=[redacted]`);
      expect(lines).not.toContain(value);
    }
  });
});
