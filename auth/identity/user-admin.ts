import { tenantAggregate, userAggregate } from '../../commands/identity/aggregates.js';
import type { CommandResult } from '../../commands/command-handler.js';
import { commandContext, type CommandContext } from '../../commands/metadata.js';
import { NotFoundError } from '../../domain/shared/errors.js';
import { tenantStream } from '../../domain/tenant/streams.js';
import type { UserEvent } from '../../domain/user/events.js';
import type { ActiveUser, UserState } from '../../domain/user/state.js';
import { userStream } from '../../domain/user/streams.js';
import { requireTenantAdmin } from '../policies.js';
import type { Principal, UserPrincipal } from '../principal.js';
import { joinAdminRoster, leaveAdminRoster } from './admin-roster.js';
import type { IdentityDeps } from './identity-deps.js';
import type { RequestInfo } from './request-info.js';

/**
 * Disables an account, and everything it holds stops at once: the user is
 * refused on every request (the per-request check reads the user's state),
 * their sessions end, and the API keys and pending invitations they issued
 * are revoked. An admin is taken off the tenant's roster first, so the last
 * enabled admin cannot be disabled (409 `last_admin`). Every step is
 * idempotent: after a crash, disabling again finishes the job. Enabling
 * does not bring keys, invitations or sessions back.
 */
export async function disableUser(deps: IdentityDeps, principal: Principal, userId: string, request: RequestInfo): Promise<CommandResult<UserState, UserEvent>> {
  const { target, admin } = await memberForAdmin(deps, principal, userId);
  const context = commandContext(deps.runtime, request, { type: 'user', id: admin.userId }, target.tenantId);
  if (!target.disabled && target.roles.includes('admin')) await leaveAdminRoster(deps, target, 'user_disabled', context);
  const result = await deps.handler.handle(userAggregate, userStream(target.userId), { type: 'Disable', data: {} }, { context });
  await endEverythingIssuedBy(deps, target, admin.userId, context);
  return result;
}

export async function enableUser(deps: IdentityDeps, principal: Principal, userId: string, request: RequestInfo): Promise<CommandResult<UserState, UserEvent>> {
  const { target, admin } = await memberForAdmin(deps, principal, userId);
  const context = commandContext(deps.runtime, request, { type: 'user', id: admin.userId }, target.tenantId);
  const result = await deps.handler.handle(userAggregate, userStream(target.userId), { type: 'Enable', data: {} }, { context });
  if (result.state.status === 'Active' && !result.state.disabled) await joinAdminRoster(deps, result.state, context);
  return result;
}

/** Ends every session of a member (an admin's "sign them out everywhere"), or of yourself; answers how many ended. */
export async function endUserSessions(deps: IdentityDeps, principal: Principal, userId: string): Promise<number> {
  if (principal.kind === 'user' && principal.userId === userId) return deps.sessions.endOthers(userId, null, 'ended_by_user');
  const { target } = await memberForAdmin(deps, principal, userId);
  return deps.sessions.endOthers(target.userId, null, 'ended_by_admin');
}

/** The sessions, then the keys (table first, so they stop before the events say so), then the pending invitations. */
async function endEverythingIssuedBy(deps: IdentityDeps, user: ActiveUser, actorId: string, context: CommandContext): Promise<void> {
  await deps.sessions.endOthers(user.userId, null, 'user_disabled');
  await deps.apiKeyStore.revokeCreatedBy(user.tenantId, user.userId, deps.runtime.now());
  await deps.handler.handle(tenantAggregate, tenantStream(user.tenantId), { type: 'RevokeIssuedBy', data: { userId: user.userId, revokedBy: actorId } }, { context });
}

/** A user of the admin's own tenant; anyone else reads as missing, so tenants cannot be probed. */
async function memberForAdmin(deps: IdentityDeps, principal: Principal, userId: string): Promise<{ target: ActiveUser; admin: UserPrincipal }> {
  const target = await deps.directory.getUser(userId);
  if (!target || target.tenantId !== principal.tenantId) throw new NotFoundError('no such user', { code: 'user_not_found' });
  return { target, admin: requireTenantAdmin(principal, target.tenantId) };
}

/**
 * After issuing a key or an invitation: false when the issuer was disabled
 * meanwhile (their request passed the check before the disable), so the
 * caller revokes what it issued. Disabling revokes what it finds; this
 * catches what it could not find yet.
 */
export async function issuerStillEnabled(deps: Pick<IdentityDeps, 'directory'>, userId: string): Promise<boolean> {
  const user = await deps.directory.getUser(userId);
  return user !== undefined && !user.disabled;
}
