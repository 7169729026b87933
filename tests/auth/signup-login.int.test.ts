import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { emailReservationStream } from '../../domain/email/email-reservation.js';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../../domain/shared/errors.js';
import { userStream } from '../../domain/user/streams.js';
import { AuthenticationError, INVALID_CREDENTIALS_MESSAGE } from '../../auth/errors.js';
import { createIdentityHarness, GOOD_PASSWORD, request, uniqueEmail, type IdentityHarness } from '../support/identity-harness.js';

describe('signup and login', () => {
  let h: IdentityHarness;

  beforeAll(async () => {
    h = await createIdentityHarness({ operatorEmails: ['Ops@Example.com'] });
  });
  afterAll(async () => h.dispose());

  it('makes the first account of the installation its operator and its new tenant’s admin; a listed but unproven address gets no operator', async () => {
    const first = await h.identity.signup({ email: uniqueEmail('first'), password: GOOD_PASSWORD, displayName: 'First' }, request());
    expect(first.user.roles).toEqual(['admin', 'operator']);
    const second = await h.identity.signup({ email: uniqueEmail('second'), password: GOOD_PASSWORD }, request());
    expect(second.user.roles).toEqual(['admin']);
    expect(second.user.tenantId).not.toBe(first.user.tenantId);
    // Listed in OPERATOR_EMAILS, but nobody has proven the address yet (tests/api/auth-email proves it by mail).
    const ops = await h.identity.signup({ email: 'ops@example.com', password: GOOD_PASSWORD }, request());
    expect(ops.user.roles).toEqual(['admin']);
    expect((await h.identity.login({ email: 'ops@example.com', password: GOOD_PASSWORD }, request())).user.roles).toEqual(['admin']);
  });

  it('lets exactly one of 20 concurrent signups with one email succeed; the rest get ConflictError', async () => {
    const email = uniqueEmail('race');
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) => h.identity.signup({ email: i % 2 ? email : email.toUpperCase(), password: GOOD_PASSWORD }, request())),
    );
    const succeeded = results.filter((result) => result.status === 'fulfilled');
    const failed = results.flatMap((result) => (result.status === 'rejected' ? [result.reason] : []));
    expect(succeeded).toHaveLength(1);
    expect(failed).toHaveLength(19);
    for (const error of failed) {
      expect(error).toBeInstanceOf(ConflictError);
      expect((error as ConflictError).code).toBe('email_taken');
    }
    const reservation = await h.store.readStream(emailReservationStream(email));
    expect(reservation.map((event) => event.type)).toEqual(['EmailReserved']);
  });

  it('enforces the password policy without repeating the password', async () => {
    const email = uniqueEmail('policy');
    await expect(h.identity.signup({ email, password: 'short' }, request())).rejects.toThrow(ValidationError);
    const sameAsEmail = h.identity.signup({ email, password: email.toUpperCase() }, request());
    await expect(sameAsEmail).rejects.toMatchObject({ code: 'weak_password' });
    await expect(sameAsEmail).rejects.not.toThrow(email.toUpperCase());
  });

  it('logs in and records UserLoggedIn without secrets', async () => {
    const email = uniqueEmail('login');
    const signup = await h.identity.signup({ email, password: GOOD_PASSWORD }, request());
    const login = await h.identity.login({ email: `  ${email.toUpperCase()} `, password: GOOD_PASSWORD }, request());
    expect(login.user.id).toBe(signup.user.id);
    const events = await h.store.readStream(userStream(signup.user.id));
    const loggedIn = events.filter((event) => event.type === 'UserLoggedIn');
    expect(loggedIn.map((event) => event.data)).toEqual([
      expect.objectContaining({ method: 'password', sessionId: signup.sessionId }),
      expect.objectContaining({ method: 'password', sessionId: login.sessionId }),
    ]);
    const wholeLog = JSON.stringify((await h.store.readAll()).map(({ data, metadata }) => ({ data, metadata })));
    expect(wholeLog).not.toContain(GOOD_PASSWORD);
    expect(wholeLog).not.toContain('scrypt$');
    expect(loggedIn[1]?.metadata).toMatchObject({ actor: { type: 'user', id: signup.user.id }, tenantId: signup.user.tenantId, schemaVersion: 1 });
  });

  it('answers an unknown email and a wrong password alike, and records the failure on the account', async () => {
    const email = uniqueEmail('bad');
    const { user } = await h.identity.signup({ email, password: GOOD_PASSWORD }, request());
    const wrongPassword = await h.identity.login({ email, password: 'not the password' }, request()).catch((error: unknown) => error);
    const unknownEmail = await h.identity.login({ email: uniqueEmail('nobody'), password: 'not the password' }, request()).catch((error: unknown) => error);
    for (const error of [wrongPassword, unknownEmail]) {
      expect(error).toBeInstanceOf(AuthenticationError);
      expect(error).toMatchObject({ code: 'invalid_credentials', message: INVALID_CREDENTIALS_MESSAGE });
    }
    const failed = (await h.store.readStream(userStream(user.id))).filter((event) => event.type === 'UserLoginFailed');
    expect(failed.map((event) => event.data)).toEqual([{ userId: user.id, reason: 'invalid_password' }]);
    expect(JSON.stringify(failed.map((event) => event.data))).not.toContain('not the password');
  });

  it('invites a member into the admin’s tenant; the invitation works once, for its email', async () => {
    const admin = await h.identity.signup({ email: uniqueEmail('admin'), password: GOOD_PASSWORD }, request());
    const { principal } = await h.identity.authenticate(admin.accessToken);
    const inviteeEmail = uniqueEmail('invitee');
    const invitation = await h.identity.invite(principal, { email: inviteeEmail }, request());
    await expect(h.identity.signup({ email: uniqueEmail('eve'), password: GOOD_PASSWORD, invitationToken: invitation.token }, request())).rejects.toBeInstanceOf(ForbiddenError);
    const member = await h.identity.signup({ email: inviteeEmail, password: GOOD_PASSWORD, invitationToken: invitation.token }, request());
    expect(member.user).toMatchObject({ tenantId: admin.user.tenantId, roles: ['member'] });
    await expect(h.identity.signup({ email: uniqueEmail('late'), password: GOOD_PASSWORD, invitationToken: invitation.token }, request())).rejects.toBeInstanceOf(ConflictError);
    await expect(h.identity.signup({ email: uniqueEmail('forged'), password: GOOD_PASSWORD, invitationToken: `${invitation.token}x` }, request())).rejects.toBeInstanceOf(NotFoundError);

    const { principal: memberPrincipal } = await h.identity.authenticate(member.accessToken);
    await expect(h.identity.invite(memberPrincipal, { email: uniqueEmail() }, request())).rejects.toMatchObject({ code: 'admin_required' });
    const granted = await h.identity.grantRole(principal, { userId: member.user.id, role: 'admin' }, request());
    expect(granted.state).toMatchObject({ roles: ['member', 'admin'] });
    await expect(h.identity.revokeRole(principal, { userId: member.user.id, role: 'admin', ifMatch: granted.revision - 1n }, request())).rejects.toMatchObject({ code: 'precondition_failed' });
    const revoked = await h.identity.revokeRole(principal, { userId: member.user.id, role: 'admin', ifMatch: granted.revision }, request());
    expect(revoked.events.map((event) => event.type)).toEqual(['UserRoleRevoked']);
    const refreshed = await h.identity.refresh(member.refreshToken);
    expect(refreshed.user.roles).toEqual(['member']);
  });

  it('releases an abandoned reservation so the address can sign up again', async () => {
    const email = uniqueEmail('abandoned');
    // A signup that crashed after reserving: the reservation names a user stream that never appeared.
    await h.store.appendToStream(emailReservationStream(email), [
      { id: h.runtime.newId(), type: 'EmailReserved', data: { email, userId: 'ghost' }, metadata: { occurredAt: h.clock.now().toISOString() } },
    ]);
    await expect(h.identity.signup({ email, password: GOOD_PASSWORD }, request())).rejects.toMatchObject({ code: 'email_taken' });
    await expect(h.identity.login({ email, password: GOOD_PASSWORD }, request())).rejects.toMatchObject({ code: 'invalid_credentials' });
    h.clock.advance(10 * 60_000);
    const signup = await h.identity.signup({ email, password: GOOD_PASSWORD }, request());
    const reservation = await h.store.readStream(emailReservationStream(email));
    expect(reservation.map((event) => event.type)).toEqual(['EmailReserved', 'EmailReservationReleased', 'EmailReserved']);
    expect(reservation[2]?.data).toEqual({ email, userId: signup.user.id });
  });
});
