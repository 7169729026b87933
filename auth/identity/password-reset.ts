import { normaliseEmail } from '../../domain/email/email-address.js';
import { ValidationError } from '../../domain/shared/errors.js';
import { userStream } from '../../domain/user/streams.js';
import { userAggregate } from '../../commands/identity/aggregates.js';
import { passwordResetMessage } from '../mail/messages.js';
import { checkPasswordPolicy } from '../passwords/password-policy.js';
import { endUnprovenAccess } from './account-claim.js';
import type { IdentityDeps } from './identity-deps.js';
import type { RequestInfo } from './request-info.js';
import { commandContext } from '../../commands/metadata.js';

/** The page a reset link opens; the token rides in the fragment, which browsers never send to a server. */
export const PASSWORD_RESET_PAGE = '/auth/password-reset';

/**
 * POST /auth/password-reset {email}: answered the same whether or not the
 * address has an account. Everything that depends on it (the lookup, the
 * token, the mail) happens after the answer, so its timing says nothing
 * either. Per IP, too many requests are refused (429); per address, mail
 * stops quietly after a few, so nobody can flood an inbox.
 */
export async function requestPasswordReset(deps: IdentityDeps, input: { email: string }, request: RequestInfo): Promise<void> {
  const email = normaliseEmail(input.email);
  if (!(await deps.limits.beforePasswordReset(request, email))) return;
  deps.deferred.run('password reset mail', async () => {
    const user = await deps.directory.findUserByEmail(email);
    if (!user) return;
    const ttl = deps.settings.passwordResetTtlSeconds;
    const token = await deps.emailTokens.issue('password_reset', { userId: user.userId, email: user.email }, deps.runtime.now(), ttl);
    await deps.mailer.send(passwordResetMessage(user.email, `${deps.settings.publicUrl}${PASSWORD_RESET_PAGE}#token=${token}`, ttl));
  });
}

/**
 * POST /auth/password-reset/confirm {token, newPassword}: the link's token,
 * used once, sets the password and ends every session of the user. The link
 * proves the address, so an account whose address was never verified is
 * verified now, and claimed: whatever its creator issued ends (see
 * endUnprovenAccess). A weak password is refused before the token is used.
 */
export async function confirmPasswordReset(deps: IdentityDeps, input: { token: string; newPassword: string }, request: RequestInfo): Promise<void> {
  const pending = await deps.emailTokens.peek('password_reset', input.token, deps.runtime.now());
  if (!pending) throw invalidLink();
  checkPasswordPolicy(input.newPassword, pending.email);
  const newHash = await deps.hasher.hash(input.newPassword);
  const grant = await deps.emailTokens.consume('password_reset', input.token, deps.runtime.now());
  const user = grant ? await deps.directory.getUser(grant.userId) : undefined;
  if (!grant || !user || user.email !== grant.email) throw invalidLink();

  await deps.credentials.setPasswordHash(user.userId, newHash, deps.runtime.now());
  if (user.emailVerified) await deps.sessions.endOthers(user.userId, null, 'password_reset');
  else await endUnprovenAccess(deps, user, 'keep', request);
  await deps.handler.handle(
    userAggregate,
    userStream(user.userId),
    { type: 'ResetPassword', data: { email: grant.email, operatorListed: deps.settings.operatorEmails.includes(grant.email) } },
    { context: commandContext(deps.runtime, request, { type: 'user', id: user.userId }, user.tenantId) },
  );
  await deps.emailTokens.retire('password_reset', user.userId);
  // Whoever proved the address may log in at once, even if guessers had locked the account.
  await deps.limits.passwordAccepted(user.email);
}

function invalidLink(): ValidationError {
  return new ValidationError('the reset link is invalid, expired or already used; ask for a new one', { code: 'invalid_reset_token' });
}
