import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { AuthenticationCache } from '../../auth/cache/authentication-cache.js';
import type { IdentityService } from '../../auth/identity-service.js';
import { createIdentityHarness, GOOD_PASSWORD, request, uniqueEmail, type IdentityHarness } from '../support/identity-harness.js';

/**
 * In the process that makes a change, the cache must forget before the change
 * is answered. The cache here hears nothing from the database (no listener:
 * it is told it listens), so only this process's own code can make it forget:
 * every refusal below comes from that, not from a notification.
 */
describe('the authentication cache in the process that ends a session or changes a user', () => {
  let h: IdentityHarness;
  let identity: IdentityService;
  let cache: AuthenticationCache;

  beforeAll(async () => {
    h = await createIdentityHarness();
    cache = new AuthenticationCache(true);
    cache.setListening(true);
    identity = await h.createService({ authenticationCache: cache });
  });
  afterAll(async () => h.dispose());

  async function signedUp() {
    const answer = await identity.signup({ email: uniqueEmail('cached'), password: GOOD_PASSWORD }, request());
    // Authenticated once, so that the session and the user are kept.
    await identity.authenticate(answer.accessToken);
    return answer;
  }

  it('keeps what it read: a second authentication reads neither the session nor the user', async () => {
    const user = await signedUp();
    await h.knex('auth_sessions').where({ id: user.sessionId }).update({ revoked_at: new Date(), revoked_reason: 'logout' });
    // Only a cache answers this way; the change above bypassed every path that tells it.
    await expect(identity.authenticate(user.accessToken)).resolves.toBeDefined();
  });

  it('logout, ending a session and ending the others are refused at once', async () => {
    const loggedOut = await signedUp();
    await identity.logout(loggedOut.refreshToken);
    await expect(identity.authenticate(loggedOut.accessToken)).rejects.toMatchObject({ code: 'session_ended' });

    const user = await signedUp();
    const { principal } = await identity.authenticate(user.accessToken);
    const second = await identity.login({ email: user.user.email, password: GOOD_PASSWORD }, request());
    await identity.authenticate(second.accessToken);
    await identity.endSession(principal, second.sessionId);
    await expect(identity.authenticate(second.accessToken)).rejects.toMatchObject({ code: 'session_ended' });

    const third = await identity.login({ email: user.user.email, password: GOOD_PASSWORD }, request());
    await identity.authenticate(third.accessToken);
    await identity.endUserSessions(principal, user.user.id);
    await expect(identity.authenticate(third.accessToken)).rejects.toMatchObject({ code: 'session_ended' });
    await expect(identity.authenticate(user.accessToken)).rejects.toMatchObject({ code: 'session_ended' });
  });

  it('a refresh token presented again after its grace ends the session at once', async () => {
    const user = await signedUp();
    const rotated = await identity.refresh(user.refreshToken);
    await identity.authenticate(rotated.accessToken);
    h.clock.advance(60_000);
    await expect(identity.refresh(user.refreshToken)).rejects.toMatchObject({ code: 'refresh_token_reused' });
    await expect(identity.authenticate(rotated.accessToken)).rejects.toMatchObject({ code: 'session_ended' });
  });

  it('a role revoked and a user disabled apply to the next authentication', async () => {
    const admin = await signedUp();
    const { principal: adminPrincipal } = await identity.authenticate(admin.accessToken);
    const email = uniqueEmail('member');
    const invitation = await identity.invite(adminPrincipal, { email }, request());
    const member = await identity.signup({ email, password: GOOD_PASSWORD, invitationToken: invitation.token }, request());
    await identity.grantRole(adminPrincipal, { userId: member.user.id, role: 'admin' }, request());
    expect((await identity.authenticate(member.accessToken)).principal.roles).toContain('admin');

    await identity.revokeRole(adminPrincipal, { userId: member.user.id, role: 'admin' }, request());
    expect((await identity.authenticate(member.accessToken)).principal.roles).not.toContain('admin');

    await identity.disableUser(adminPrincipal, member.user.id, request());
    await expect(identity.authenticate(member.accessToken)).rejects.toMatchObject({ code: 'session_ended' });
  });
});
