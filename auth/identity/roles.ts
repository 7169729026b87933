import { NotFoundError } from '../../domain/shared/errors.js';
import type { Role } from '../../domain/user/roles.js';
import { userStream } from '../../domain/user/streams.js';
import { userAggregate } from '../../commands/identity/aggregates.js';
import { stale, type CommandResult } from '../../commands/command-handler.js';
import type { UserEvent } from '../../domain/user/events.js';
import type { UserState } from '../../domain/user/state.js';
import type { Principal } from '../principal.js';
import { requireMayChangeRole } from '../policies.js';
import { joinAdminRoster, leaveAdminRoster } from './admin-roster.js';
import type { IdentityDeps } from './identity-deps.js';
import type { RequestInfo } from './request-info.js';
import { commandContext } from '../../commands/metadata.js';

export interface RoleChange {
  userId: string;
  role: Role;
  /** The target's user stream revision the caller saw (If-Match), if any. */
  ifMatch?: bigint;
}

/**
 * Grants or revokes one role. Taking `admin` away first takes the user off
 * the tenant's roster of admins, which refuses the last one (409
 * `last_admin`); granting it puts them on the roster afterwards.
 */
export async function changeRole(
  deps: IdentityDeps,
  principal: Principal,
  change: RoleChange,
  kind: 'GrantRole' | 'RevokeRole',
  request: RequestInfo,
): Promise<CommandResult<UserState, UserEvent>> {
  const loaded = await deps.directory.loadUser(change.userId);
  const target = loaded?.user;
  // Users of other tenants read as missing to an admin, so tenants cannot be probed.
  if (!loaded || !target || (change.role !== 'operator' && target.tenantId !== principal.tenantId)) {
    throw new NotFoundError('no such user', { code: 'user_not_found' });
  }
  const actor = requireMayChangeRole(principal, target.tenantId, change.role);
  const context = commandContext(deps.runtime, request, { type: 'user', id: actor.userId }, target.tenantId);
  const stream = userStream(target.userId);
  if (change.role === 'admin' && kind === 'RevokeRole' && target.roles.includes('admin')) {
    // A stale If-Match must change nothing, the roster included.
    if (change.ifMatch !== undefined && change.ifMatch !== loaded.revision) throw stale(stream, change.ifMatch, loaded.revision);
    await leaveAdminRoster(deps, target, 'role_revoked', context);
  }
  const result = await deps.handler.handle(userAggregate, stream, { type: kind, data: { role: change.role } }, {
    context,
    ...(change.ifMatch === undefined ? {} : { ifMatch: change.ifMatch }),
  });
  if (change.role === 'admin' && kind === 'GrantRole' && result.state.status === 'Active') await joinAdminRoster(deps, result.state, context);
  return result;
}
