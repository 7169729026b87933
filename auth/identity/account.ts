import { userStream } from '../../domain/user/streams.js';
import { userAggregate } from '../../commands/identity/aggregates.js';
import { invalidCredentials } from '../errors.js';
import { checkPasswordPolicy } from '../passwords/password-policy.js';
import type { UserPrincipal } from '../principal.js';
import type { Session } from '../sessions/session.js';
import type { IdentityDeps } from './identity-deps.js';
import type { RequestInfo } from './request-info.js';
import { commandContext } from '../../commands/metadata.js';
import { NotFoundError } from '../../domain/shared/errors.js';

/**
 * Changes the password and ends every other session. The current password
 * counts against the account's password attempts like a login (a stolen
 * access token must not buy unlimited guesses). Order: the event
 * first (it serialises concurrent changes through the stream revision), then
 * the hash, then the sessions; a crash after the event leaves the old
 * password working and the user retries, which appends a second event.
 */
export async function changePassword(
  deps: IdentityDeps,
  principal: UserPrincipal,
  input: { currentPassword: string; newPassword: string },
  request: RequestInfo,
): Promise<{ endedSessions: number }> {
  const user = await deps.directory.getUser(principal.userId);
  if (!user) throw invalidCredentials();
  await deps.limits.beforePasswordCheck(request, user.email);
  const hash = await deps.credentials.passwordHash(user.userId);
  if (!hash || !(await deps.hasher.verify(input.currentPassword, hash))) throw invalidCredentials();
  await deps.limits.passwordAccepted(user.email, request);
  checkPasswordPolicy(input.newPassword, user.email);
  const newHash = await deps.hasher.hash(input.newPassword);
  await deps.handler.handle(userAggregate, userStream(user.userId), { type: 'ChangePassword', data: { keptSessionId: principal.sessionId } }, {
    context: commandContext(deps.runtime, request, { type: 'user', id: user.userId }, user.tenantId),
  });
  await deps.credentials.setPasswordHash(user.userId, newHash, deps.runtime.now());
  return { endedSessions: await deps.sessions.endOthers(user.userId, principal.sessionId, 'password_changed') };
}

export function listSessions(deps: IdentityDeps, principal: UserPrincipal): Promise<Session[]> {
  return deps.sessions.list(principal.userId);
}

/** A user ends one of their own sessions (another device); someone else's reads as not found. */
export async function endSession(deps: IdentityDeps, principal: UserPrincipal, sessionId: string): Promise<void> {
  if (!(await deps.sessions.end(principal.userId, sessionId, 'ended_by_user'))) {
    throw new NotFoundError('no such session', { code: 'session_not_found' });
  }
}
