import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { expectError, expectJson, HttpClient, type AuthAnswer, type ErrorAnswer } from '../support/auth-http.js';
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

async function expectRetryAfter(response: Response, atMost: number): Promise<ErrorAnswer['error']> {
  const retryAfter = Number(response.headers.get('retry-after'));
  const error = await expectError(response, 429, 'too_many_requests');
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  expect(retryAfter).toBeLessThanOrEqual(atMost);
  return error;
}

/** How many answers had each status. */
function tally(responses: readonly Response[]): Record<number, number> {
  const counts: Record<number, number> = {};
  for (const response of responses) counts[response.status] = (counts[response.status] ?? 0) + 1;
  return counts;
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

describe('the account lockout under concurrent guesses', () => {
  it('verifies at most RATE_LIMIT_LOGIN_FAILURES_PER_ACCOUNT of 25 concurrent wrong guesses, answers 429 (never 409) to the rest, then refuses the right password', async () => {
    const { user } = await http.signup({}, fromNewIp());
    const guesses = await Promise.all(
      Array.from({ length: 25 }, (_, i) => http.post('/auth/login', { email: user.email, password: `wrong guess ${i}` }, { headers: fromNewIp() })),
    );
    expect(tally(guesses)).toEqual({ 401: 3, 429: 22 });
    await Promise.all(guesses.map((response) => response.arrayBuffer()));
    const locked = await expectRetryAfter(await http.post('/auth/login', { email: user.email, password: GOOD_PASSWORD }, { headers: fromNewIp() }), 120);
    expect(locked.details?.[0]).toMatchObject({ limit: 'login_failures_per_account', variable: 'RATE_LIMIT_LOGIN_FAILURES_PER_ACCOUNT', points: 3 });
  });

  it('answers an unknown email exactly as a known one', async () => {
    const guesses = await Promise.all(
      Array.from({ length: 25 }, (_, i) => http.post('/auth/login', { email: uniqueEmail('nobody'), password: `wrong guess ${i}` }, { headers: fromNewIp() })),
    );
    expect(tally(guesses)).toEqual({ 401: 25 });
    await Promise.all(guesses.map((response) => response.arrayBuffer()));
    const email = uniqueEmail('nobody');
    const same = await Promise.all(Array.from({ length: 25 }, () => http.post('/auth/login', { email, password: 'wrong guess' }, { headers: fromNewIp() })));
    expect(tally(same)).toEqual({ 401: 3, 429: 22 });
    await Promise.all(same.map((response) => response.arrayBuffer()));
  });

  it('counts a password change’s current password against the same limit', async () => {
    const { user, accessToken } = await http.signup({}, fromNewIp());
    const change = (currentPassword: string) => http.post('/auth/password', { currentPassword, newPassword: 'a brand new passphrase' }, { bearer: accessToken });
    const guesses = await Promise.all(Array.from({ length: 10 }, (_, i) => change(`wrong guess ${i}`)));
    expect(tally(guesses)).toEqual({ 401: 3, 429: 7 });
    await Promise.all(guesses.map((response) => response.arrayBuffer()));
    await expectRetryAfter(await change(GOOD_PASSWORD), 120);
    await expectRetryAfter(await http.post('/auth/login', { email: user.email, password: GOOD_PASSWORD }, { headers: fromNewIp() }), 120);
  });
});

describe('rate-limit answers', () => {
  it('send RateLimit-* headers on a limited route, showing the tightest limit the request counted against', async () => {
    const ip = fromNewIp();
    const { user } = await http.signup({}, fromNewIp());
    const ok = await http.post('/auth/login', { email: user.email, password: GOOD_PASSWORD }, { headers: ip });
    expect(ok.status).toBe(200);
    // 3 left of the IP's 4, and of the account's 3 (the right password cleared the attempt it had reserved).
    expect(headersOf(ok)).toEqual({ limit: '3', remaining: '3', policy: '3;w=900', reset: expect.stringMatching(/^\d+$/) });
    expect(Number(ok.headers.get('ratelimit-reset'))).toBeLessThanOrEqual(900);
    const wrong = await http.post('/auth/login', { email: user.email, password: 'not the password' }, { headers: ip });
    await expectError(wrong, 401, 'invalid_credentials');
    // One attempt of the account's 3 is spent; the IP has 2 of 4 left: the account is the tighter.
    expect(headersOf(wrong)).toMatchObject({ limit: '3', remaining: '2', policy: '3;w=900' });
  });

  it('say in details which limit was hit and the variable that sets it, with RateLimit-Remaining 0 and Retry-After', async () => {
    const ip = fromNewIp();
    const { user } = await http.signup({}, fromNewIp());
    for (let i = 0; i < 4; i++) expect((await http.post('/auth/login', { email: user.email, password: GOOD_PASSWORD }, { headers: ip })).status).toBe(200);
    const refused = await http.post('/auth/login', { email: user.email, password: GOOD_PASSWORD }, { headers: ip });
    expect(headersOf(refused)).toMatchObject({ limit: '4', remaining: '0' });
    const error = await expectRetryAfter(refused, 900);
    expect(error.details).toEqual([{ limit: 'login_per_ip', variable: 'RATE_LIMIT_LOGIN_PER_IP', points: 4, windowSeconds: 900, retryAfterSeconds: expect.any(Number) }]);
    expect(error.message).toContain('RATE_LIMIT_LOGIN_PER_IP');
  });
});

function headersOf(response: Response): Record<string, string | null> {
  return {
    limit: response.headers.get('ratelimit-limit'),
    remaining: response.headers.get('ratelimit-remaining'),
    reset: response.headers.get('ratelimit-reset'),
    policy: response.headers.get('ratelimit-policy'),
  };
}

describe('client addresses', () => {
  const signupFrom = (address: string) => http.post('/auth/signup', { email: uniqueEmail(), password: GOOD_PASSWORD }, { headers: { 'x-forwarded-for': address } });

  it('counts an IPv6 /64 as one client', async () => {
    for (const address of ['2001:db8:77:1::1', '2001:db8:77:1::2', '2001:db8:77:1:ffff:ffff:ffff:fffe']) expect((await signupFrom(address)).status).toBe(201);
    const error = await expectRetryAfter(await signupFrom('2001:db8:77:1:abcd::4'), 3600);
    expect(error.details?.[0]).toMatchObject({ limit: 'signup_per_ip', variable: 'RATE_LIMIT_SIGNUP_PER_IP' });
    expect((await signupFrom('2001:db8:77:2::1')).status).toBe(201);
  });

  it('counts every request without a readable address against one shared bucket, never against none', async () => {
    for (const address of ['unknown', 'garbage-1', 'garbage-2']) expect((await signupFrom(address)).status).toBe(201);
    await expectRetryAfter(await signupFrom('garbage-3'), 3600);
  });
});

describe('TRUST_PROXY as a hop count', () => {
  it('takes the address the nearest proxy reported, whatever the client put before it', async () => {
    const behindOneProxy = await startTestApp({ env: { TRUST_PROXY: '1', RATE_LIMIT_SIGNUP_PER_IP: '1' } });
    try {
      const client = new HttpClient(behindOneProxy.url);
      const session = await client.signup({}, { 'x-forwarded-for': '203.0.113.1, 198.51.100.200' });
      const sessions = await expectJson<{ items: Array<{ ip: string | null }> }>(await client.get('/auth/sessions', { bearer: session.accessToken }), 200);
      expect(sessions.items[0]?.ip).toBe('198.51.100.200');
      await expectRetryAfter(await client.post('/auth/signup', { email: uniqueEmail(), password: GOOD_PASSWORD }, { headers: { 'x-forwarded-for': '203.0.113.2, 198.51.100.200' } }), 3600);
    } finally {
      await behindOneProxy.stop();
    }
  });
});

describe('starting OIDC logins', () => {
  it('is limited per IP (RATE_LIMIT_OIDC_LOGIN_PER_IP), counted before the provider is asked anything', async () => {
    // A provider that is never reachable: the limit must hold whether or not logins get anywhere.
    const oidcApp = await startTestApp({
      env: {
        RATE_LIMIT_OIDC_LOGIN_PER_IP: '2',
        OIDC_PROVIDERS: 'corp',
        OIDC_CORP_ISSUER: 'http://127.0.0.1:9/',
        OIDC_CORP_CLIENT_ID: 'chronicle',
        OIDC_CORP_CLIENT_SECRET: 'not-a-secret',
        OIDC_CORP_REDIRECT_URI: 'http://127.0.0.1:9/auth/oidc/corp/callback',
      },
    });
    try {
      const client = new HttpClient(oidcApp.url);
      const ip = fromNewIp();
      for (let i = 0; i < 2; i++) await expectError(await client.get('/auth/oidc/corp/login', { headers: ip }), 503, 'oidc_provider_unavailable');
      const error = await expectRetryAfter(await client.get('/auth/oidc/corp/login', { headers: ip }), 900);
      expect(error.details?.[0]).toMatchObject({ limit: 'oidc_login_per_ip', variable: 'RATE_LIMIT_OIDC_LOGIN_PER_IP', points: 2 });
      // An unknown provider is refused before anything counts; another address has its own count.
      await expectError(await client.get('/auth/oidc/other/login', { headers: ip }), 404, 'oidc_provider_not_found');
      await expectError(await client.get('/auth/oidc/corp/login', { headers: fromNewIp() }), 503, 'oidc_provider_unavailable');
    } finally {
      await oidcApp.stop();
    }
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
