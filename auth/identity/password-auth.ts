import { normaliseEmail } from '../../domain/email/email-address.js';
import { accountDisabled } from '../../domain/user/decider.js';
import type { ActiveUser } from '../../domain/user/state.js';
import { userStream } from '../../domain/user/streams.js';
import { userAggregate } from '../../commands/identity/aggregates.js';
import type { TenantChoice } from '../../commands/signup-saga.js';
import { invalidCredentials } from '../errors.js';
import { checkPasswordPolicy } from '../passwords/password-policy.js';
import { sendVerificationMail } from './email-verification.js';
import type { IdentityDeps } from './identity-deps.js';
import { resolveInvitation } from './invitations.js';
import { ANONYMOUS_ACTOR, type RequestInfo } from './request-info.js';
import { commandContext } from '../../commands/metadata.js';
import { ensureOperator, startSession, type AuthResult } from './session-issuer.js';

export interface SignupInput {
  email: string;
  password: string;
  displayName?: string;
  /** From an admin's invitation: joins that tenant as its invited role instead of creating one. */
  invitationToken?: string;
}

export interface LoginInput {
  email: string;
  password: string;
}

/**
 * Signup with a password: limits, policy, the signup saga, a verification
 * mail, then a first session. The address is not proven yet, so it earns
 * nothing OPERATOR_EMAILS promises until it is.
 */
export async function signupWithPassword(deps: IdentityDeps, input: SignupInput, request: RequestInfo): Promise<AuthResult> {
  const email = normaliseEmail(input.email);
  await deps.limits.beforeSignup(request, email);
  checkPasswordPolicy(input.password, email);
  const userId = deps.runtime.newId();
  const tenant: TenantChoice = input.invitationToken
    ? await resolveInvitation(deps, input.invitationToken)
    : { kind: 'new', tenantId: deps.runtime.newId(), tenantName: `${input.displayName?.trim() || email}'s workspace` };
  // Hash before reserving: the slow part should not hold a reservation open.
  const passwordHash = await deps.hasher.hash(input.password);
  const { user } = await deps.saga.run(
    {
      userId,
      email,
      displayName: input.displayName?.trim() ?? '',
      method: 'password',
      tenant,
      externalIdentity: null,
      extraRoles: [],
      beforeUserStream: () => deps.credentials.setPasswordHash(userId, passwordHash, deps.runtime.now()),
    },
    commandContext(deps.runtime, request, ANONYMOUS_ACTOR, tenant.tenantId),
  );
  sendVerificationMail(deps, user);
  return startSession(deps, user, { method: 'password', provider: null }, request);
}

/**
 * Login: one answer for an unknown email and a wrong password, after the
 * same scrypt work either way. The attempt is reserved against the account
 * (known or not) before scrypt runs, so past the limit nothing is verified,
 * not even the right password, until the block ends. Failures on a known
 * account are recorded as UserLoginFailed (without the attempted password).
 */
export async function loginWithPassword(deps: IdentityDeps, input: LoginInput, request: RequestInfo): Promise<AuthResult> {
  const email = normaliseEmail(input.email);
  await deps.limits.beforeLogin(request, email);
  const user = await deps.directory.findUserByEmail(email);
  const hash = user ? await deps.credentials.passwordHash(user.userId) : undefined;
  const valid = hash ? await deps.hasher.verify(input.password, hash) : await deps.hasher.verifyAgainstDummy(input.password);
  if (!user || !valid) {
    if (user) await recordFailure(deps, user, hash ? 'invalid_password' : 'no_password_set', request);
    throw invalidCredentials();
  }
  await deps.limits.passwordAccepted(email, request);
  // Only after the password checked out: whether an account is disabled is not for anyone who merely knows its email.
  if (user.disabled) throw accountDisabled();
  const result = await startSession(deps, await ensureOperator(deps, user, request), { method: 'password', provider: null }, request);
  // A reset or a takeover replaces or removes the hash, then ends every session. A login that verified the old hash
  // and opened its session after those sessions ended must not keep it: the hash it verified is gone by now.
  if ((await deps.credentials.passwordHash(user.userId)) !== hash) {
    await deps.sessions.end(user.userId, result.sessionId, 'password_changed');
    throw invalidCredentials();
  }
  if (hash && deps.hasher.needsRehash(hash)) await deps.credentials.setPasswordHash(user.userId, await deps.hasher.hash(input.password), deps.runtime.now());
  return result;
}

/**
 * Unconditional: concurrent failures on one account (other processes
 * included) must never answer 409, which only an existing account could
 * give, where an unknown email answers 401.
 */
async function recordFailure(deps: IdentityDeps, user: ActiveUser, reason: 'invalid_password' | 'no_password_set', request: RequestInfo): Promise<void> {
  await deps.handler.handle(userAggregate, userStream(user.userId), { type: 'RecordLoginFailure', data: { reason } }, {
    context: commandContext(deps.runtime, request, ANONYMOUS_ACTOR, user.tenantId),
    unconditional: true,
  });
}
