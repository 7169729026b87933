import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { userStream } from '../../domain/user/streams.js';
import { createIdentityHarness, GOOD_PASSWORD, request, uniqueEmail, type IdentityHarness } from '../support/identity-harness.js';

describe('refresh token sessions', () => {
  let h: IdentityHarness;

  beforeAll(async () => {
    h = await createIdentityHarness();
  });
  afterAll(async () => h.dispose());

  async function signup() {
    const email = uniqueEmail('session');
    return { email, first: await h.identity.signup({ email, password: GOOD_PASSWORD }, request()) };
  }

  it('issues opaque refresh tokens of 256 bits and stores only their hash', async () => {
    const { first } = await signup();
    expect(first.refreshToken).toMatch(/^crt_[A-Za-z0-9_-]{43}$/);
    const stored = await h.knex('auth_refresh_tokens').select('token_hash');
    expect(JSON.stringify(stored)).not.toContain(first.refreshToken);
  });

  it('rotates on every use: the new pair works, in the same session', async () => {
    const { first } = await signup();
    const second = await h.identity.refresh(first.refreshToken);
    expect(second.refreshToken).not.toBe(first.refreshToken);
    expect(second.sessionId).toBe(first.sessionId);
    const third = await h.identity.refresh(second.refreshToken);
    await expect(h.identity.authenticate(third.accessToken)).resolves.toBeDefined();
  });

  it('gives a retried refresh within the grace the current token back', async () => {
    const { first } = await signup();
    const second = await h.identity.refresh(first.refreshToken);
    const retried = await h.identity.refresh(first.refreshToken);
    expect(retried.refreshToken).toBe(second.refreshToken);
    await expect(h.identity.refresh(second.refreshToken)).resolves.toBeDefined();
  });

  it('takes a rotated token used after the grace as theft and ends the whole family', async () => {
    const { first } = await signup();
    const second = await h.identity.refresh(first.refreshToken);
    h.clock.advance(11_000);
    await expect(h.identity.refresh(first.refreshToken)).rejects.toMatchObject({ code: 'refresh_token_reused' });
    await expect(h.identity.refresh(second.refreshToken)).rejects.toMatchObject({ code: 'invalid_refresh_token' });
    await expect(h.identity.authenticate(second.accessToken)).rejects.toMatchObject({ code: 'session_ended' });
  });

  it('rejects an unknown refresh token', async () => {
    await expect(h.identity.refresh('crt_not-a-real-token')).rejects.toMatchObject({ code: 'invalid_refresh_token' });
  });

  it('logout ends the session and its access tokens', async () => {
    const { first } = await signup();
    await h.identity.logout(first.refreshToken);
    await expect(h.identity.refresh(first.refreshToken)).rejects.toMatchObject({ code: 'invalid_refresh_token' });
    await expect(h.identity.authenticate(first.accessToken)).rejects.toMatchObject({ code: 'session_ended' });
    await expect(h.identity.logout(first.refreshToken)).resolves.toBeUndefined();
  });

  it('a password change ends every other session, keeps this one, and retires the old password', async () => {
    const { email, first } = await signup();
    const other = await h.identity.login({ email, password: GOOD_PASSWORD }, request());
    const { principal } = await h.identity.authenticate(first.accessToken);
    await expect(h.identity.changePassword(principal, { currentPassword: 'wrong password', newPassword: 'a new long password' }, request())).rejects.toMatchObject({ code: 'invalid_credentials' });
    const changed = await h.identity.changePassword(principal, { currentPassword: GOOD_PASSWORD, newPassword: 'a new long password' }, request());
    expect(changed.endedSessions).toBe(1);
    await expect(h.identity.refresh(other.refreshToken)).rejects.toMatchObject({ code: 'invalid_refresh_token' });
    await expect(h.identity.authenticate(first.accessToken)).resolves.toBeDefined();
    await expect(h.identity.login({ email, password: GOOD_PASSWORD }, request())).rejects.toMatchObject({ code: 'invalid_credentials' });
    await expect(h.identity.login({ email, password: 'a new long password' }, request())).resolves.toBeDefined();
    const types = (await h.store.readStream(userStream(first.user.id))).map((event) => event.type);
    expect(types).toContain('UserPasswordChanged');
  });

  it('lists a user’s own sessions and ends one of them, but not someone else’s', async () => {
    const { email, first } = await signup();
    const laptop = await h.identity.login({ email, password: GOOD_PASSWORD }, { ...request(), userAgent: 'laptop' });
    const { principal } = await h.identity.authenticate(first.accessToken);
    const sessions = await h.identity.listSessions(principal);
    expect(sessions.map((session) => session.id).sort()).toEqual([first.sessionId, laptop.sessionId].sort());
    expect(sessions.find((session) => session.id === laptop.sessionId)).toMatchObject({ userAgent: 'laptop', endedAt: null });
    await h.identity.endSession(principal, laptop.sessionId);
    expect((await h.identity.listSessions(principal)).map((session) => session.id)).toEqual([first.sessionId]);
    const stranger = await signup();
    const { principal: strangerPrincipal } = await h.identity.authenticate(stranger.first.accessToken);
    await expect(h.identity.endSession(strangerPrincipal, first.sessionId)).rejects.toMatchObject({ code: 'session_not_found' });
  });

  it('me answers the user as the log knows them', async () => {
    const { first } = await signup();
    const { principal } = await h.identity.authenticate(first.accessToken);
    await expect(h.identity.me(principal)).resolves.toEqual(first.user);
  });
});
