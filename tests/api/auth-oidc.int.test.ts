import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { expectError, expectJson, GENEROUS_LIMITS_ENV, HttpClient, type AuthAnswer } from '../support/auth-http.js';
import { freePort } from '../support/free-port.js';
import { uniqueEmail } from '../support/identity-harness.js';
import { followLogin, startTestOpenIdProvider, type TestAccount, type TestOpenIdProvider } from '../support/oidc-test-provider.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

interface OidcAnswer extends AuthAnswer {
  outcome: 'signed_up' | 'linked' | 'logged_in';
  returnTo: string | null;
}

let op: TestOpenIdProvider;
let app: TestApp;
let http: HttpClient;

beforeAll(async () => {
  // Our port first: the provider must know the callback URL before either starts.
  const port = await freePort();
  const redirectUri = `http://127.0.0.1:${port}/auth/oidc/test/callback`;
  op = await startTestOpenIdProvider(redirectUri);
  app = await startTestApp({
    env: {
      ...GENEROUS_LIMITS_ENV,
      PORT: String(port),
      OIDC_PROVIDERS: 'test',
      OIDC_TEST_ISSUER: op.issuer,
      OIDC_TEST_CLIENT_ID: op.clientId,
      OIDC_TEST_CLIENT_SECRET: op.clientSecret,
      OIDC_TEST_REDIRECT_URI: redirectUri,
    },
  });
  http = new HttpClient(app.url);
});
afterAll(async () => {
  await app?.stop();
  await op?.close();
});

function account(overrides: Partial<TestAccount> = {}): TestAccount {
  return { sub: `sub-${Math.random().toString(36).slice(2)}`, email: uniqueEmail('oidc'), emailVerified: true, name: 'Grace Hopper', ...overrides };
}

/** Plays the browser: our /login, the provider's redirects and interactions, then the callback URL it sends us back to. */
async function browseToCallback(who: TestAccount, returnTo = '/after-login'): Promise<URL> {
  op.signInAs(who);
  const start = await http.get(`/auth/oidc/test/login?returnTo=${encodeURIComponent(returnTo)}`);
  expect(start.status).toBe(302);
  const location = start.headers.get('location') ?? '';
  expect(location.startsWith(op.issuer)).toBe(true);
  expect(new URL(location).searchParams.get('code_challenge_method')).toBe('S256');
  const callback = await followLogin(location, op.redirectUri);
  expect(callback.origin).toBe(new URL(app.url).origin);
  return callback;
}

const completeAt = (callback: URL) => http.get(`${callback.pathname}${callback.search}`);

describe('OIDC login over HTTP against a real OpenID Provider', () => {
  it('signs up on a first login and answers tokens as JSON (never in a URL); the next login finds the same user', async () => {
    const grace = account();
    const callback = await browseToCallback(grace);
    const response = await completeAt(callback);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const first = await expectJson<OidcAnswer>(response, 200);
    expect(first).toMatchObject({ outcome: 'signed_up', returnTo: '/after-login', user: { email: grace.email, displayName: 'Grace Hopper', roles: expect.arrayContaining(['admin']) } });
    expect(await expectJson(await http.get('/auth/me', { bearer: first.accessToken }), 200)).toEqual(first.user);
    expect(callback.search).not.toContain(first.accessToken);

    const again = await expectJson<OidcAnswer>(await completeAt(await browseToCallback(grace)), 200);
    expect(again).toMatchObject({ outcome: 'logged_in', user: { id: first.user.id } });
  });

  it('links a verified email to the existing password account', async () => {
    const existing = await http.signup();
    const linked = await expectJson<OidcAnswer>(await completeAt(await browseToCallback(account({ email: existing.user.email.toUpperCase() }))), 200);
    expect(linked).toMatchObject({ outcome: 'linked', user: { id: existing.user.id } });
  });

  it('neither links nor signs up on an unverified email (403)', async () => {
    const victim = await http.signup();
    await expectError(await completeAt(await browseToCallback(account({ email: victim.user.email, emailVerified: false }))), 403, 'email_not_verified');
    const stranger = account({ emailVerified: false });
    await expectError(await completeAt(await browseToCallback(stranger)), 403, 'email_not_verified');
    await expectError(await http.post('/auth/login', { email: stranger.email, password: 'anything at all' }), 401, 'invalid_credentials');
  });

  it('takes each callback once and refuses a forged state (401)', async () => {
    const callback = await browseToCallback(account());
    await expectJson(await completeAt(callback), 200);
    await expectError(await completeAt(callback), 401, 'oidc_failed');
    const forged = await browseToCallback(account());
    forged.searchParams.set('state', 'forged');
    await expectError(await completeAt(forged), 401, 'oidc_failed');
  });

  it('accepts only a path on this site as returnTo: no open redirect', async () => {
    for (const returnTo of ['//evil.example/x', 'https://evil.example/', '/\\evil.example', 'relative', '/ok path']) {
      await expectError(await http.get(`/auth/oidc/test/login?returnTo=${encodeURIComponent(returnTo)}`), 400, 'invalid_query');
    }
    expect((await http.get('/auth/oidc/test/login')).status).toBe(302);
  });

  it('answers 404 for a provider that is not configured', async () => {
    await expectError(await http.get('/auth/oidc/nobody/login'), 404, 'oidc_provider_not_found');
    await expectError(await http.get('/auth/oidc/nobody/callback?code=x&state=y'), 404, 'oidc_provider_not_found');
    await expectError(await http.get('/auth/oidc/Bad-Name/login'), 400, 'invalid_path');
  });
});
