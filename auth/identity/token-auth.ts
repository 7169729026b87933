import { NotFoundError } from '../../domain/shared/errors.js';
import type { ActiveUser } from '../../domain/user/state.js';
import { AuthenticationError } from '../errors.js';
import type { UserPrincipal } from '../principal.js';
import type { AccessClaims } from '../tokens/access-tokens.js';
import type { IdentityDeps } from './identity-deps.js';
import { userView, type AuthResult, type UserView } from './session-issuer.js';

/**
 * Rotates the refresh token and signs a new access token with the user's
 * current roles (requests see a role change at once anyway: see below).
 */
export async function refreshSession(deps: IdentityDeps, refreshToken: string): Promise<AuthResult> {
  const { session, refreshToken: next } = await deps.sessions.refresh(refreshToken);
  const user = await deps.directory.getUser(session.userId);
  if (!user || user.disabled) throw new AuthenticationError('the refresh token is invalid or expired', { code: 'invalid_refresh_token' });
  const access = await deps.tokens.sign({ userId: user.userId, tenantId: user.tenantId, roles: user.roles, sessionId: session.id });
  return { user: userView(user), accessToken: access.token, refreshToken: next, expiresIn: access.expiresIn, sessionId: session.id };
}

/** Ends the refresh token's session; unknown or already ended tokens are not an error. */
export async function logout(deps: IdentityDeps, refreshToken: string): Promise<void> {
  await deps.sessions.endByToken(refreshToken);
}

/**
 * Verifies an access token, that its session is still open and who its user
 * is now: logout and "end other sessions" take effect at once, and so does a
 * role change, because the principal's roles are the user's current ones,
 * never the token's (its `roles` claim is a hint for clients, stale as soon
 * as an admin acts). The session and the user are read side by side, or
 * taken from the authentication cache, which hears of every change to either.
 */
export async function authenticateAccessToken(deps: IdentityDeps, token: string): Promise<{ principal: UserPrincipal; claims: AccessClaims }> {
  const claims = await deps.tokens.verify(token);
  const [active, user] = await Promise.all([sessionIsOpen(deps, claims.sessionId), currentUser(deps, claims.userId)]);
  if (!active) throw new AuthenticationError('the session has ended', { code: 'session_ended' });
  // Disabling ends the user's sessions; this also covers a crash between the two steps.
  if (!user || user.disabled) throw new AuthenticationError('the session has ended', { code: 'session_ended' });
  const current: AccessClaims = { ...claims, tenantId: user.tenantId, roles: user.roles };
  const principal: UserPrincipal = { kind: 'user', userId: user.userId, tenantId: user.tenantId, roles: user.roles, sessionId: claims.sessionId };
  return { principal, claims: current };
}

function sessionIsOpen({ sessions, authenticationCache, runtime }: IdentityDeps, sessionId: string): Promise<boolean> {
  if (!authenticationCache) return sessions.isActive(sessionId);
  return authenticationCache.sessionIsOpen(sessionId, runtime.now(), () => sessions.openUntil(sessionId));
}

function currentUser({ directory, authenticationCache }: IdentityDeps, userId: string): Promise<ActiveUser | undefined> {
  if (!authenticationCache) return directory.getUser(userId);
  return authenticationCache.user(userId, () => directory.getUser(userId));
}

/** GET /auth/me: the user as the event store knows them now. */
export async function me(deps: IdentityDeps, principal: UserPrincipal): Promise<UserView> {
  const user = await deps.directory.getUser(principal.userId);
  if (!user) throw new NotFoundError('no such user', { code: 'user_not_found' });
  return userView(user);
}
