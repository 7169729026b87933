import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { externalIdentityStream } from '../../domain/external-identity/external-identity-reservation.js';
import { userStream } from '../../domain/user/streams.js';
import { createIdentityHarness, GOOD_PASSWORD, request, uniqueEmail, type IdentityHarness } from '../support/identity-harness.js';
import { followLogin, startTestOpenIdProvider, type TestAccount, type TestOpenIdProvider } from '../support/oidc-test-provider.js';

const REDIRECT_URI = 'http://127.0.0.1:3999/auth/oidc/test/callback';

describe('OIDC login against a real OpenID Provider', () => {
  let op: TestOpenIdProvider;
  let h: IdentityHarness;

  beforeAll(async () => {
    op = await startTestOpenIdProvider(REDIRECT_URI);
    h = await createIdentityHarness({
      oidcProviders: [
        // allowInsecureRequests: only because this provider speaks http on localhost.
        { name: 'test', issuer: op.issuer, clientId: op.clientId, clientSecret: op.clientSecret, redirectUri: REDIRECT_URI, allowInsecureRequests: true },
      ],
    });
  });
  afterAll(async () => {
    await h.dispose();
    await op.close();
  });

  async function loginAs(account: TestAccount) {
    op.signInAs(account);
    const { authorizationUrl, browserBinding } = await h.identity.oidcStart('test', '/after-login', null, request());
    const url = new URL(authorizationUrl);
    expect(url.searchParams.get('code_challenge_method')).toBe('S256');
    expect(url.searchParams.get('state')).toBeTruthy();
    expect(url.searchParams.get('nonce')).toBeTruthy();
    const callback = await followLogin(authorizationUrl, REDIRECT_URI);
    return { callback, browserBinding, result: await h.identity.oidcComplete('test', callback, browserBinding, request()) };
  }

  function account(overrides: Partial<TestAccount> = {}): TestAccount {
    return { sub: `sub-${Math.random().toString(36).slice(2)}`, email: uniqueEmail('oidc'), emailVerified: true, name: 'Grace Hopper', ...overrides };
  }

  it('creates the user on a first login (UserSignedUp with method oidc, ExternalIdentityLinked, UserEmailVerified) and reserves its subject', async () => {
    const grace = account();
    const { result } = await loginAs(grace);
    expect(result).toMatchObject({ outcome: 'signed_up', returnTo: '/after-login', user: { email: grace.email, emailVerified: true, displayName: 'Grace Hopper' } });
    const events = await h.store.readStream(userStream(result.user.id));
    expect(events.map((event) => event.type)).toEqual(['UserSignedUp', 'ExternalIdentityLinked', 'UserEmailVerified', 'UserRoleGranted', 'UserRoleGranted', 'UserLoggedIn']);
    expect(events[0]?.data).toMatchObject({ method: 'oidc' });
    expect(events[1]?.data).toMatchObject({ provider: 'test', issuer: op.issuer, subject: grace.sub, emailVerified: true });
    expect(events[2]?.data).toMatchObject({ method: 'provider', email: grace.email });
    expect(events[5]?.data).toMatchObject({ method: 'oidc', provider: 'test' });
    const reservation = await h.store.readStream(externalIdentityStream(op.issuer, grace.sub));
    expect(reservation.map((event) => event.data)).toEqual([{ issuer: op.issuer, subject: grace.sub, userId: result.user.id }]);
    await expect(h.identity.authenticate(result.accessToken)).resolves.toMatchObject({ principal: { userId: result.user.id } });

    const again = await loginAs(grace);
    expect(again.result).toMatchObject({ outcome: 'logged_in', user: { id: result.user.id } });
  });

  it('takes over a password account whose email was never verified: its password is gone, the identity is linked', async () => {
    const email = uniqueEmail('existing');
    const existing = await h.identity.signup({ email, password: GOOD_PASSWORD }, request());
    const { result } = await loginAs(account({ email: email.toUpperCase() }));
    expect(result).toMatchObject({ outcome: 'taken_over', user: { id: existing.user.id, emailVerified: true } });
    const types = (await h.store.readStream(userStream(existing.user.id))).map((event) => event.type);
    expect(types.filter((type) => type === 'UserSignedUp')).toHaveLength(1);
    expect(types).toEqual(expect.arrayContaining(['UserAccountClaimed', 'ExternalIdentityLinked', 'UserEmailVerified']));
    await expect(h.identity.login({ email, password: GOOD_PASSWORD }, request())).rejects.toMatchObject({ code: 'invalid_credentials' });
    await expect(h.identity.authenticate(existing.accessToken)).rejects.toMatchObject({ code: 'session_ended' });
  });

  it('does not link, nor sign up, on an unverified email', async () => {
    const email = uniqueEmail('victim');
    const victim = await h.identity.signup({ email, password: GOOD_PASSWORD }, request());
    await expect(loginAs(account({ email, emailVerified: false }))).rejects.toMatchObject({ code: 'email_not_verified' });
    const types = (await h.store.readStream(userStream(victim.user.id))).map((event) => event.type);
    expect(types).not.toContain('ExternalIdentityLinked');
    await expect(loginAs(account({ emailVerified: false }))).rejects.toMatchObject({ code: 'email_not_verified' });
  });

  it('takes over an account the old rules linked into while unverified (the attack already happened): the next login claims it', async () => {
    const email = uniqueEmail('victim');
    const attacker = await h.identity.signup({ email, password: 'the attacker knows this one' }, request());
    const victim = account({ email });
    // What the old code recorded when the victim's first provider login was linked into the attacker's account.
    await h.store.appendToStream(userStream(attacker.user.id), [
      {
        id: h.runtime.newId(),
        type: 'ExternalIdentityLinked',
        data: { userId: attacker.user.id, provider: 'test', issuer: op.issuer, subject: victim.sub, email, emailVerified: true },
        metadata: { occurredAt: h.clock.now().toISOString() },
      },
    ]);
    const { result } = await loginAs(victim);
    expect(result).toMatchObject({ outcome: 'taken_over', user: { id: attacker.user.id, emailVerified: true } });
    await expect(h.identity.login({ email, password: 'the attacker knows this one' }, request())).rejects.toMatchObject({ code: 'invalid_credentials' });
    await expect(h.identity.authenticate(attacker.accessToken)).rejects.toMatchObject({ code: 'session_ended' });
    expect((await h.store.readStream(externalIdentityStream(op.issuer, victim.sub))).map((event) => event.data)).toEqual([
      { issuer: op.issuer, subject: victim.sub, userId: attacker.user.id },
    ]);
    expect((await loginAs(victim)).result).toMatchObject({ outcome: 'logged_in', user: { id: attacker.user.id } });
  });

  it('takes each callback once, and refuses a forged state', async () => {
    const { callback, browserBinding } = await loginAs(account());
    await expect(h.identity.oidcComplete('test', callback, browserBinding, request())).rejects.toMatchObject({ code: 'oidc_failed' });
    const forged = new URL(callback);
    forged.searchParams.set('state', 'forged');
    await expect(h.identity.oidcComplete('test', forged, browserBinding, request())).rejects.toMatchObject({ code: 'oidc_failed' });
    await expect(h.identity.oidcStart('nope', null, null, request())).rejects.toMatchObject({ code: 'oidc_provider_not_found' });
  });
});
