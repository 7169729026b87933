import { accountDisabled } from '../../domain/user/decider.js';
import type { Role } from '../../domain/user/roles.js';
import type { ActiveUser } from '../../domain/user/state.js';
import { userStream } from '../../domain/user/streams.js';
import { userAggregate } from '../../commands/identity/aggregates.js';
import type { IdentityDeps } from './identity-deps.js';
import type { RequestInfo } from './request-info.js';
import { commandContext } from '../../commands/metadata.js';

/** The user as the API shows it (CONTRACT.md: `{ id, email, displayName, roles, tenantId }`). */
export interface UserView {
  id: string;
  email: string;
  /** The user has proven they receive mail at `email` (a link, a provider, a reset). */
  emailVerified: boolean;
  displayName: string;
  roles: readonly Role[];
  tenantId: string;
}

export interface AuthResult {
  user: UserView;
  accessToken: string;
  refreshToken: string;
  /** Seconds until the access token expires. */
  expiresIn: number;
  sessionId: string;
}

export function userView(user: ActiveUser): UserView {
  return { id: user.userId, email: user.email, emailVerified: user.emailVerified, displayName: user.displayName, roles: user.roles, tenantId: user.tenantId };
}

/**
 * Starts a session for a user who has just proved who they are: records
 * UserLoggedIn (method, session id; never a secret), opens a refresh token
 * family and signs the first access token.
 */
export async function startSession(
  deps: IdentityDeps,
  user: ActiveUser,
  login: { method: 'password' | 'oidc'; provider: string | null },
  request: RequestInfo,
): Promise<AuthResult> {
  if (user.disabled) throw accountDisabled();
  const { session, refreshToken } = await deps.sessions.start({ userId: user.userId, tenantId: user.tenantId, userAgent: request.userAgent, ip: request.ip });
  await deps.handler.handle(
    userAggregate,
    userStream(user.userId),
    { type: 'RecordLogin', data: { method: login.method, sessionId: session.id, provider: login.provider } },
    { context: commandContext(deps.runtime, request, { type: 'user', id: user.userId }, user.tenantId) },
  );
  const access = await deps.tokens.sign({ userId: user.userId, tenantId: user.tenantId, roles: user.roles, sessionId: session.id });
  return { user: userView(user), accessToken: access.token, refreshToken, expiresIn: access.expiresIn, sessionId: session.id };
}

/**
 * The operator role follows the installation's first account and the
 * verified addresses in OPERATOR_EMAILS (an address nobody has proven is
 * anyone's to sign up with); checked at every login so that a crash during
 * signup or a later configuration change is repaired without anyone's help.
 * Once per account: an account that has held operator is left alone, so an
 * operator's revocation is never undone by the next login.
 */
export async function ensureOperator(deps: IdentityDeps, user: ActiveUser, request: RequestInfo): Promise<ActiveUser> {
  if (user.hasHeldOperator) return user;
  const context = commandContext(deps.runtime, request, { type: 'system', id: 'identity' }, user.tenantId);
  const listed = user.emailVerified && deps.settings.operatorEmails.includes(user.email);
  if (!listed && !(await deps.saga.claimInstallation(user.userId, context))) return user;
  const granted = await deps.handler.handle(userAggregate, userStream(user.userId), { type: 'BootstrapOperator', data: {} }, { context });
  return granted.state.status === 'Active' ? granted.state : user;
}
