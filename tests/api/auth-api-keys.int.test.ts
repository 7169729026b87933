import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { expectError, expectJson, GENEROUS_LIMITS_ENV, HttpClient, type AuthAnswer } from '../support/auth-http.js';
import { uniqueEmail } from '../support/identity-harness.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

interface IssuedKey {
  id: string;
  name: string;
  key: string;
  displayPrefix: string;
  rateLimitPerMinute: number;
}

let app: TestApp;
let http: HttpClient;
let admin: AuthAnswer;

beforeAll(async () => {
  app = await startTestApp({ env: { ...GENEROUS_LIMITS_ENV, API_KEY_DEFAULT_RATE_LIMIT_PER_MINUTE: '1000' } });
  http = new HttpClient(app.url);
  admin = await http.signup();
});
afterAll(async () => app?.stop());

async function issue(body: Record<string, unknown>): Promise<IssuedKey> {
  return expectJson<IssuedKey>(await http.post('/api/api-keys', body, { bearer: admin.accessToken }), 201);
}

describe('API keys over HTTP', () => {
  it('shows the key once: the list never has it', async () => {
    const issued = await issue({ name: 'ingest' });
    expect(issued).toMatchObject({ name: 'ingest', rateLimitPerMinute: 1000 });
    expect(issued.key).toMatch(/^chk_/);
    const listed = await expectJson<{ items: Array<Record<string, unknown>> }>(await http.get('/api/api-keys', { bearer: admin.accessToken }), 200);
    expect(listed.items.find((item) => item.id === issued.id)).toMatchObject({ name: 'ingest', displayPrefix: issued.displayPrefix, revokedAt: null });
    expect(JSON.stringify(listed)).not.toContain(issued.key);
  });

  it('authenticates a request as X-Api-Key and as Authorization: Bearer', async () => {
    const { id, key } = await issue({ name: 'machine' });
    const expected = { kind: 'apiKey', keyId: id, tenantId: admin.user.tenantId, scopes: ['ingest', 'read', 'admin'] };
    expect(await expectJson(await http.get('/auth/verify', { headers: { 'x-api-key': key } }), 200)).toEqual(expected);
    expect(await expectJson(await http.get('/auth/verify', { bearer: key }), 200)).toEqual(expected);
    // A machine is not a user, and never administers.
    await expectError(await http.get('/auth/me', { bearer: key }), 403, 'user_required');
    await expectError(await http.post('/api/api-keys', { name: 'more' }, { bearer: key }), 403, 'user_required');
    await expectError(await http.get('/auth/verify', { bearer: admin.accessToken, headers: { 'x-api-key': key } }), 400, 'ambiguous_credentials');
  });

  it('stops a revoked key at once (401)', async () => {
    const { id, key } = await issue({ name: 'short-lived' });
    expect((await http.delete(`/api/api-keys/${id}`, { bearer: admin.accessToken })).status).toBe(204);
    await expectError(await http.get('/auth/verify', { headers: { 'x-api-key': key } }), 401, 'invalid_api_key');
    await expectError(await http.get('/auth/verify', { headers: { 'x-api-key': `${key}x` } }), 401, 'invalid_api_key');
    const listed = await expectJson<{ items: Array<{ id: string; revokedAt: string | null }> }>(await http.get('/api/api-keys', { bearer: admin.accessToken }), 200);
    expect(listed.items.find((item) => item.id === id)?.revokedAt).toEqual(expect.any(String));
  });

  it("answers 429 with Retry-After past the key's own rate", async () => {
    const { key } = await issue({ name: 'slow', rateLimitPerMinute: 2 });
    for (let i = 0; i < 2; i++) {
      const ok = await http.get('/auth/verify', { headers: { 'x-api-key': key } });
      expect(ok.status).toBe(200);
      expect([ok.headers.get('ratelimit-limit'), ok.headers.get('ratelimit-remaining'), ok.headers.get('ratelimit-policy')]).toEqual(['2', String(1 - i), '2;w=60']);
    }
    const limited = await http.get('/auth/verify', { headers: { 'x-api-key': key } });
    expect(limited.headers.get('ratelimit-remaining')).toBe('0');
    const error = await expectError(limited, 429, 'too_many_requests');
    expect(error.details).toEqual([{ limit: 'api_key_per_minute', variable: 'rateLimitPerMinute', points: 2, windowSeconds: 60, retryAfterSeconds: expect.any(Number) }]);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(Number(limited.headers.get('retry-after'))).toBeLessThanOrEqual(60);
  });

  it("lets only the tenant's admins manage keys", async () => {
    const email = uniqueEmail('member');
    const invitation = await expectJson<{ token: string }>(await http.post('/api/invitations', { email }, { bearer: admin.accessToken }), 201);
    const member = await http.signup({ email, invitationToken: invitation.token });
    const { id } = await issue({ name: 'guarded' });
    await expectError(await http.post('/api/api-keys', { name: 'x' }, { bearer: member.accessToken }), 403, 'admin_required');
    await expectError(await http.get('/api/api-keys', { bearer: member.accessToken }), 403, 'admin_required');
    await expectError(await http.delete(`/api/api-keys/${id}`, { bearer: member.accessToken }), 403, 'admin_required');
    const outsider = await http.signup();
    await expectError(await http.delete(`/api/api-keys/${id}`, { bearer: outsider.accessToken }), 404, 'api_key_not_found');
    await expectError(await http.post('/api/api-keys', { name: 'x' }), 401, 'unauthenticated');
  });

  it('answers 422 for a missing name, a zero rate or an unknown field', async () => {
    await expectError(await http.post('/api/api-keys', {}, { bearer: admin.accessToken }), 422, 'validation_failed');
    await expectError(await http.post('/api/api-keys', { name: 'x', rateLimitPerMinute: 0 }, { bearer: admin.accessToken }), 422, 'validation_failed');
    await expectError(await http.post('/api/api-keys', { name: 'x', key: 'chk_mine' }, { bearer: admin.accessToken }), 422, 'validation_failed');
  });
});

describe('how many keys a tenant may issue', () => {
  let capped: TestApp;
  let client: HttpClient;

  beforeAll(async () => {
    capped = await startTestApp({ env: { ...GENEROUS_LIMITS_ENV, API_KEYS_PER_TENANT: '3', RATE_LIMIT_API_KEY_ISSUE_PER_TENANT: '7' } });
    client = new HttpClient(capped.url);
  });
  afterAll(async () => capped?.stop());

  it('holds API_KEYS_PER_TENANT active keys, however many are asked for at once (409 past it); a revoked key frees its place', async () => {
    const owner = await client.signup();
    const issue = () => client.post('/api/api-keys', { name: 'burst' }, { bearer: owner.accessToken });
    const answers = await Promise.all(Array.from({ length: 6 }, issue));
    expect(answers.map((answer) => answer.status).sort()).toEqual([201, 201, 201, 409, 409, 409]);
    const refused = answers.find((answer) => answer.status === 409)!;
    const error = await expectError(refused, 409, 'api_key_limit_reached');
    expect(error.details).toEqual([{ limit: 'api_keys_per_tenant', variable: 'API_KEYS_PER_TENANT', points: 3, activeKeys: 3 }]);
    const issued = await expectJson<IssuedKey>(answers.find((answer) => answer.status === 201)!, 201);
    expect((await client.delete(`/api/api-keys/${issued.id}`, { bearer: owner.accessToken })).status).toBe(204);
    await expectJson<IssuedKey>(await issue(), 201);
    // Another tenant has its own three.
    const neighbour = await client.signup();
    await expectJson<IssuedKey>(await client.post('/api/api-keys', { name: 'own' }, { bearer: neighbour.accessToken }), 201);
  });

  it('limits issuing itself per tenant (RATE_LIMIT_API_KEY_ISSUE_PER_TENANT), revoked keys or not', async () => {
    const owner = await client.signup();
    for (let i = 0; i < 7; i++) {
      const issued = await expectJson<IssuedKey>(await client.post('/api/api-keys', { name: `churn-${i}` }, { bearer: owner.accessToken }), 201);
      expect((await client.delete(`/api/api-keys/${issued.id}`, { bearer: owner.accessToken })).status).toBe(204);
    }
    const refused = await client.post('/api/api-keys', { name: 'one more' }, { bearer: owner.accessToken });
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    const error = await expectError(refused, 429, 'too_many_requests');
    expect(error.details?.[0]).toMatchObject({ limit: 'api_key_issue_per_tenant', variable: 'RATE_LIMIT_API_KEY_ISSUE_PER_TENANT', points: 7 });
  });
});
