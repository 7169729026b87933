import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { expectError, expectJson, GENEROUS_LIMITS_ENV, HttpClient, type AuthAnswer } from '../support/auth-http.js';
import { freePort } from '../support/free-port.js';
import { GOOD_PASSWORD, uniqueEmail } from '../support/identity-harness.js';
import { followLogin, startTestOpenIdProvider, type TestAccount, type TestOpenIdProvider } from '../support/oidc-test-provider.js';
import { linkIn, startTestMailbox, type TestMailbox } from '../support/test-mailbox.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

interface OidcAnswer extends AuthAnswer {
  outcome: 'signed_up' | 'linked' | 'taken_over' | 'logged_in';
  returnTo: string | null;
}

const COOKIE = '__Host-chronicle-oidc';

let op: TestOpenIdProvider;
let mailbox: TestMailbox;
let app: TestApp;
let http: HttpClient;

beforeAll(async () => {
  // Our port first: the provider must know the callback URL before either starts.
  const port = await freePort();
  const redirectUri = `http://127.0.0.1:${port}/auth/oidc/test/callback`;
  op = await startTestOpenIdProvider(redirectUri);
  mailbox = await startTestMailbox();
  app = await startTestApp({
    env: {
      ...GENEROUS_LIMITS_ENV,
      PORT: String(port),
      PUBLIC_URL: `http://127.0.0.1:${port}`,
      SMTP_URL: mailbox.url,
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
  await mailbox?.close();
});

function account(overrides: Partial<TestAccount> = {}): TestAccount {
  return { sub: `sub-${Math.random().toString(36).slice(2)}`, email: uniqueEmail('oidc'), emailVerified: true, name: 'Grace Hopper', ...overrides };
}

interface Browsed {
  callback: URL;
  /** The browser's binding cookie, as `name=value`. */
  cookie: string;
  setCookie: string;
}

/** Plays the browser: our /login (keeping its cookie), the provider's redirects and interactions, then the callback URL it sends us back to. */
async function browse(who: TestAccount, options: { returnTo?: string; cookie?: string } = {}): Promise<Browsed> {
  op.signInAs(who);
  const start = await http.get(`/auth/oidc/test/login?returnTo=${encodeURIComponent(options.returnTo ?? '/after-login')}`, options.cookie ? { headers: { cookie: options.cookie } } : {});
  expect(start.status).toBe(302);
  const setCookie = start.headers.getSetCookie().find((cookie) => cookie.startsWith(`${COOKIE}=`)) ?? '';
  const location = start.headers.get('location') ?? '';
  expect(location.startsWith(op.issuer)).toBe(true);
  expect(new URL(location).searchParams.get('code_challenge_method')).toBe('S256');
  const callback = await followLogin(location, op.redirectUri);
  expect(callback.origin).toBe(new URL(app.url).origin);
  return { callback, cookie: setCookie.split(';')[0] ?? '', setCookie };
}

const completeAt = (callback: URL, cookie?: string) => http.get(`${callback.pathname}${callback.search}`, cookie ? { headers: { cookie } } : {});

async function signIn(who: TestAccount): Promise<OidcAnswer> {
  const { callback, cookie } = await browse(who);
  return expectJson<OidcAnswer>(await completeAt(callback, cookie), 200);
}

/** A password account whose address was proven through the mailed link. */
async function verifiedPasswordAccount(): Promise<AuthAnswer> {
  const signed = await http.signup();
  const link = linkIn(await mailbox.next(signed.user.email));
  const token = new URLSearchParams(link.hash.slice(1)).get('token');
  await expectJson(await http.post('/auth/verify-email', { token }), 200);
  return signed;
}

describe('OIDC login over HTTP against a real OpenID Provider', () => {
  it('signs up on a first login and answers tokens as JSON (never in a URL); the next login finds the same user', async () => {
    const grace = account();
    const { callback, cookie } = await browse(grace);
    const response = await completeAt(callback, cookie);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const first = await expectJson<OidcAnswer>(response, 200);
    expect(first).toMatchObject({ outcome: 'signed_up', returnTo: '/after-login', user: { email: grace.email, emailVerified: true, displayName: 'Grace Hopper', roles: expect.arrayContaining(['admin']) } });
    expect(await expectJson(await http.get('/auth/me', { bearer: first.accessToken }), 200)).toEqual(first.user);
    expect(callback.search).not.toContain(first.accessToken);

    expect(await signIn(grace)).toMatchObject({ outcome: 'logged_in', user: { id: first.user.id } });
  });

  it('neither links nor signs up on an unverified email (403)', async () => {
    const victim = await http.signup();
    const { callback, cookie } = await browse(account({ email: victim.user.email, emailVerified: false }));
    await expectError(await completeAt(callback, cookie), 403, 'email_not_verified');
    const stranger = account({ emailVerified: false });
    const second = await browse(stranger);
    await expectError(await completeAt(second.callback, second.cookie), 403, 'email_not_verified');
    await expectError(await http.post('/auth/login', { email: stranger.email, password: 'anything at all' }), 401, 'invalid_credentials');
    await expectJson(await http.get('/auth/me', { bearer: victim.accessToken }), 200);
  });

  it('takes each callback once and refuses a forged state (401)', async () => {
    const { callback, cookie } = await browse(account());
    await expectJson(await completeAt(callback, cookie), 200);
    await expectError(await completeAt(callback, cookie), 401, 'oidc_failed');
    const forged = await browse(account());
    forged.callback.searchParams.set('state', 'forged');
    await expectError(await completeAt(forged.callback, forged.cookie), 401, 'oidc_failed');
  });

  it('accepts only a path on this site as returnTo: no open redirect', async () => {
    for (const returnTo of ['//evil.example/x', 'https://evil.example/', '/\\evil.example', 'relative', '/ok path']) {
      await expectError(await http.get(`/auth/oidc/test/login?returnTo=${encodeURIComponent(returnTo)}`), 400, 'invalid_query');
    }
    expect((await http.get('/auth/oidc/test/login')).status).toBe(302);
  });

  it('lists the configured providers for a sign-in page, with where to send the browser', async () => {
    expect(await expectJson(await http.get('/auth/oidc/providers'), 200)).toEqual({ providers: [{ name: 'test', loginPath: '/auth/oidc/test/login' }] });
  });

  it('answers 404 for a provider that is not configured', async () => {
    await expectError(await http.get('/auth/oidc/nobody/login'), 404, 'oidc_provider_not_found');
    await expectError(await http.get('/auth/oidc/nobody/callback?code=x&state=y'), 404, 'oidc_provider_not_found');
    await expectError(await http.get('/auth/oidc/Bad-Name/login'), 400, 'invalid_path');
  });
});

describe('login CSRF: the callback belongs to the browser that started the login', () => {
  it('sets a __Host- cookie, HttpOnly, Secure, SameSite=Lax, for the whole site and no domain', async () => {
    const { setCookie } = await browse(account());
    const [pair = '', ...attributes] = setCookie.split(';').map((part) => part.trim());
    expect(pair).toMatch(new RegExp(`^${COOKIE}=[A-Za-z0-9_-]{43}$`));
    expect(attributes).toEqual(expect.arrayContaining(['Path=/', 'HttpOnly', 'Secure', 'SameSite=Lax', 'Max-Age=600']));
    expect(attributes.some((attribute) => /^domain=/i.test(attribute))).toBe(false);
  });

  it("refuses a callback presented without the starting browser's cookie, or with another browser's", async () => {
    // The attacker starts a login as themselves and lures the victim's browser to the callback URL.
    const attacker = await browse(account({ name: 'Mallory' }));
    const victimBrowser = await browse(account({ name: 'Victim' }));
    await expectError(await completeAt(attacker.callback), 401, 'oidc_failed');
    const again = await browse(account({ name: 'Mallory' }));
    await expectError(await completeAt(again.callback, victimBrowser.cookie), 401, 'oidc_failed');
    await expectError(await completeAt(again.callback, `${COOKIE}=${'A'.repeat(43)}`), 401, 'oidc_failed');
    // The victim's own login, in the victim's browser, still completes.
    expect(await expectJson<OidcAnswer>(await completeAt(victimBrowser.callback, victimBrowser.cookie), 200)).toMatchObject({ outcome: 'signed_up' });
  });

  it('lets two logins started in one browser (two tabs) both complete', async () => {
    const first = await browse(account());
    const second = await browse(account(), { cookie: first.cookie });
    expect(second.cookie).toBe(first.cookie);
    await expectJson(await completeAt(first.callback, first.cookie), 200);
    await expectJson(await completeAt(second.callback, first.cookie), 200);
  });
});

describe('pre-account-takeover: a verified provider login and a password account on the same address', () => {
  it('takes over an account someone else signed up with the address: the password, sessions, API keys and pending invitations all end', async () => {
    const victimEmail = uniqueEmail('victim');
    const attacker = await http.signup({ email: victimEmail, password: 'the attacker knows this one' });
    const apiKey = await expectJson<{ key: string }>(await http.post('/api/api-keys', { name: 'backdoor' }, { bearer: attacker.accessToken }), 201);
    const invitation = await expectJson<{ token: string }>(await http.post('/api/invitations', { email: uniqueEmail('accomplice') }, { bearer: attacker.accessToken }), 201);
    const attackerLogin = await http.login(victimEmail, 'the attacker knows this one');

    const victim = await signIn(account({ email: victimEmail }));
    expect(victim).toMatchObject({ outcome: 'taken_over', user: { id: attacker.user.id, email: victimEmail, emailVerified: true } });

    await expectError(await http.post('/auth/login', { email: victimEmail, password: 'the attacker knows this one' }), 401, 'invalid_credentials');
    for (const session of [attacker, attackerLogin]) {
      await expectError(await http.get('/auth/me', { bearer: session.accessToken }), 401, 'session_ended');
      await expectError(await http.post('/auth/refresh', { refreshToken: session.refreshToken }), 401, 'invalid_refresh_token');
    }
    await expectError(await http.get('/auth/verify', { headers: { 'x-api-key': apiKey.key } }), 401, 'invalid_api_key');
    await expectError(await http.post('/auth/signup', { email: uniqueEmail('accomplice'), password: GOOD_PASSWORD, invitationToken: invitation.token }), 404, 'invitation_not_found');
    expect(await expectJson(await http.get('/auth/me', { bearer: victim.accessToken }), 200)).toMatchObject({ id: attacker.user.id, emailVerified: true });
    // The password that was removed cannot come back through a new signup either: the address is the victim's account.
    await expectError(await http.post('/auth/signup', { email: victimEmail, password: 'the attacker knows this one' }), 409, 'email_taken');
  });

  it("links into an account whose owner proved the address (the honest path): nothing of the account's ends", async () => {
    const owner = await verifiedPasswordAccount();
    const linked = await signIn(account({ email: owner.user.email }));
    expect(linked).toMatchObject({ outcome: 'linked', user: { id: owner.user.id, emailVerified: true } });
    await expectJson(await http.get('/auth/me', { bearer: owner.accessToken }), 200);
    await http.login(owner.user.email);
  });
});

describe('users are found by issuer and subject first', () => {
  it('never links a second subject of the same issuer by email, and finds the first subject whatever email it shows', async () => {
    const email = uniqueEmail('employee');
    const employee1 = await signIn(account({ sub: `employee-1-${email}`, email }));
    expect(employee1.outcome).toBe('signed_up');
    // The address is reassigned to someone else at the same issuer.
    const { callback, cookie } = await browse(account({ sub: `employee-2-${email}`, email }));
    await expectError(await completeAt(callback, cookie), 409, 'external_identity_conflict');
    // Employee 1 keeps their account, even under a new address.
    const renamed = await signIn(account({ sub: `employee-1-${email}`, email: uniqueEmail('renamed') }));
    expect(renamed).toMatchObject({ outcome: 'logged_in', user: { id: employee1.user.id, email } });
  });
});
