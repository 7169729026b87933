import { NotFoundError } from '../../domain/shared/errors.js';
import { AuthenticationError } from '../errors.js';
import type { UserPrincipal } from '../principal.js';
import type { AccessClaims } from '../tokens/access-tokens.js';
import type { IdentityDeps } from './identity-deps.js';
import { userView, type AuthResult, type UserView } from './session-issuer.js';

/**
 * Rotates the refresh token and signs a new access token with the user's
 * current roles (a role change reaches tokens at the next refresh).
 */
export async function refreshSession(deps: IdentityDeps, refreshToken: string): Promise<AuthResult> {
  const { session, refreshToken: next } = await deps.sessions.refresh(refreshToken);
  const user = await deps.directory.getUser(session.userId);
  if (!user) throw new AuthenticationError('the account no longer exists', { code: 'invalid_refresh_token' });
  const access = await deps.tokens.sign({ userId: user.userId, tenantId: user.tenantId, roles: user.roles, sessionId: session.id });
  return { user: userView(user), accessToken: access.token, refreshToken: next, expiresIn: access.expiresIn, sessionId: session.id };
}

/** Ends the refresh token's session; unknown or already ended tokens are not an error. */
export async function logout(deps: IdentityDeps, refreshToken: string): Promise<void> {
  await deps.sessions.endByToken(refreshToken);
}

/**
 * Verifies an access token and that its session is still open, so logout
 * and "end other sessions" take effect at once, not after the token expires.
 */
export async function authenticateAccessToken(deps: IdentityDeps, token: string): Promise<{ principal: UserPrincipal; claims: AccessClaims }> {
  const claims = await deps.tokens.verify(token);
  if (!(await deps.sessions.isActive(claims.sessionId))) {
    throw new AuthenticationError('the session has ended', { code: 'session_ended' });
  }
  const principal: UserPrincipal = { kind: 'user', userId: claims.userId, tenantId: claims.tenantId, roles: claims.roles, sessionId: claims.sessionId };
  return { principal, claims };
}

/** GET /auth/me: the user as the event store knows them now. */
export async function me(deps: IdentityDeps, principal: UserPrincipal): Promise<UserView> {
  const user = await deps.directory.getUser(principal.userId);
  if (!user) throw new NotFoundError('no such user', { code: 'user_not_found' });
  return userView(user);
}
