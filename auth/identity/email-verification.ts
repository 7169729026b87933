import { ConflictError, DomainError, NotFoundError, ValidationError } from '../../domain/shared/errors.js';
import type { ActiveUser } from '../../domain/user/state.js';
import { userStream } from '../../domain/user/streams.js';
import { userAggregate } from '../../commands/identity/aggregates.js';
import { verificationMessage } from '../mail/messages.js';
import type { UserPrincipal } from '../principal.js';
import type { IdentityDeps } from './identity-deps.js';
import type { RequestInfo } from './request-info.js';
import { commandContext } from '../../commands/metadata.js';
import { userView, type UserView } from './session-issuer.js';

/** The page a verification link opens; the token rides in the fragment, which browsers never send to a server. */
export const VERIFY_EMAIL_PAGE = '/auth/verify-email';

/**
 * Mails a fresh verification link (the user's earlier ones stop working),
 * after the answer: a slow or failing mail server neither slows nor fails
 * the signup, and the user can ask again.
 */
export function sendVerificationMail(deps: IdentityDeps, user: Pick<ActiveUser, 'userId' | 'email'>): void {
  deps.deferred.run('verification mail', async () => {
    const ttl = deps.settings.emailVerificationTtlSeconds;
    const token = await deps.emailTokens.issue('verify_email', { userId: user.userId, email: user.email }, deps.runtime.now(), ttl);
    await deps.mailer.send(verificationMessage(user.email, `${deps.settings.publicUrl}${VERIFY_EMAIL_PAGE}#token=${token}`, ttl));
  });
}

/** POST /auth/verify-email/resend: signed in, limited per user; nothing to send once verified. */
export async function resendVerification(deps: IdentityDeps, principal: UserPrincipal, request: RequestInfo): Promise<void> {
  const user = await deps.directory.getUser(principal.userId);
  if (!user) throw new NotFoundError('no such user', { code: 'user_not_found' });
  if (user.emailVerified) throw new ConflictError('the email is already verified', { code: 'email_already_verified' });
  await deps.limits.beforeVerificationResend(request, user.userId);
  sendVerificationMail(deps, user);
}

/**
 * POST /auth/verify-email {token}: the link's token, used once, marks the
 * address it was sent to verified (UserEmailVerified), and grants operator
 * when the address is in OPERATOR_EMAILS. Needs no session: the link may be
 * opened on another device.
 */
export async function verifyEmail(deps: IdentityDeps, token: string, request: RequestInfo): Promise<UserView> {
  const grant = await deps.emailTokens.consume('verify_email', token, deps.runtime.now());
  const user = grant ? await deps.directory.getUser(grant.userId) : undefined;
  if (!grant || !user) throw invalidLink();
  try {
    const verified = await deps.handler.handle(
      userAggregate,
      userStream(user.userId),
      { type: 'VerifyEmail', data: { email: grant.email, method: 'link', operatorListed: deps.settings.operatorEmails.includes(grant.email) } },
      { context: commandContext(deps.runtime, request, { type: 'user', id: user.userId }, user.tenantId) },
    );
    return userView(verified.state.status === 'Active' ? verified.state : user);
  } catch (error) {
    // A link sent to an address the account no longer has is as dead as an expired one.
    if (error instanceof DomainError && error.code === 'email_mismatch') throw invalidLink();
    throw error;
  }
}

function invalidLink(): ValidationError {
  return new ValidationError('the verification link is invalid, expired or already used; ask for a new one', { code: 'invalid_verification_token' });
}
