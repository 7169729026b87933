import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { expectError, expectJson, HttpClient, type AuthAnswer } from '../support/auth-http.js';
import { GOOD_PASSWORD, uniqueEmail } from '../support/identity-harness.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

/** Small limits, set the way an operator would: through the environment. */
const SMALL_LIMITS = {
  RATE_LIMIT_SIGNUP_PER_IP: '3',
  RATE_LIMIT_SIGNUP_PER_EMAIL: '2',
  RATE_LIMIT_LOGIN_PER_IP: '4',
  RATE_LIMIT_LOGIN_FAILURES_PER_ACCOUNT: '3',
  RATE_LIMIT_LOGIN_FAILURES_PER_ACCOUNT_BLOCK_SECONDS: '120',
};

let app: TestApp;
let http: HttpClient;
let nextIp = 1;

/** A client address of its own, told to us as a same-host proxy would (TRUST_PROXY defaults to loopback). */
const fromNewIp = () => ({ 'x-forwarded-for': `198.51.100.${nextIp++}` });

beforeAll(async () => {
  app = await startTestApp({ env: SMALL_LIMITS });
  http = new HttpClient(app.url);
});
afterAll(async () => app?.stop());

async function expectRetryAfter(response: Response, atMost: number): Promise<void> {
  const retryAfter = Number(response.headers.get('retry-after'));
  await expectError(response, 429, 'too_many_requests');
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  expect(retryAfter).toBeLessThanOrEqual(atMost);
}

describe('signup limits', () => {
  it('answers 429 with Retry-After past RATE_LIMIT_SIGNUP_PER_IP, for that address only', async () => {
    const ip = fromNewIp();
    for (let i = 0; i < 3; i++) await http.signup({}, ip);
    await expectRetryAfter(await http.post('/auth/signup', { email: uniqueEmail(), password: GOOD_PASSWORD }, { headers: ip }), 3600);
    await http.signup({}, fromNewIp());
  });

  it('answers 429 past RATE_LIMIT_SIGNUP_PER_EMAIL, whatever the address', async () => {
    const email = uniqueEmail('popular');
    await http.signup({ email }, fromNewIp());
    await expectError(await http.post('/auth/signup', { email, password: GOOD_PASSWORD }, { headers: fromNewIp() }), 409, 'email_taken');
    await expectRetryAfter(await http.post('/auth/signup', { email, password: GOOD_PASSWORD }, { headers: fromNewIp() }), 3600);
  });
});

describe('login limits', () => {
  it('answers 429 past RATE_LIMIT_LOGIN_PER_IP', async () => {
    const ip = fromNewIp();
    const { user } = await http.signup({}, fromNewIp());
    for (let i = 0; i < 4; i++) expect((await http.post('/auth/login', { email: user.email, password: GOOD_PASSWORD }, { headers: ip })).status).toBe(200);
    await expectRetryAfter(await http.post('/auth/login', { email: user.email, password: GOOD_PASSWORD }, { headers: ip }), 900);
  });

  it('locks the account out after RATE_LIMIT_LOGIN_FAILURES_PER_ACCOUNT failures, even for the right password', async () => {
    const { user } = await http.signup({}, fromNewIp());
    for (let i = 0; i < 3; i++) {
      await expectError(await http.post('/auth/login', { email: user.email, password: 'guess number one' }, { headers: fromNewIp() }), 401, 'invalid_credentials');
    }
    await expectRetryAfter(await http.post('/auth/login', { email: user.email, password: GOOD_PASSWORD }, { headers: fromNewIp() }), 120);
  });

  it('records the client address the proxy reported in the session', async () => {
    const ip = fromNewIp();
    const session = await expectJson<AuthAnswer>(await http.post('/auth/signup', { email: uniqueEmail(), password: GOOD_PASSWORD }, { headers: ip }), 201);
    const sessions = await expectJson<{ items: Array<{ ip: string | null }> }>(await http.get('/auth/sessions', { bearer: session.accessToken }), 200);
    expect(sessions.items[0]?.ip).toBe(ip['x-forwarded-for']);
  });
});

describe('TRUST_PROXY=false', () => {
  it('ignores X-Forwarded-For: every request counts against the peer address', async () => {
    const direct = await startTestApp({ env: { TRUST_PROXY: 'false', RATE_LIMIT_SIGNUP_PER_IP: '1' } });
    try {
      const client = new HttpClient(direct.url);
      await client.signup({}, fromNewIp());
      await expectRetryAfter(await client.post('/auth/signup', { email: uniqueEmail(), password: GOOD_PASSWORD }, { headers: fromNewIp() }), 3600);
    } finally {
      await direct.stop();
    }
  });
});
