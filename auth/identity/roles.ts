import { NotFoundError } from '../../domain/shared/errors.js';
import type { Role } from '../../domain/user/roles.js';
import { userStream } from '../../domain/user/streams.js';
import { userAggregate } from '../../commands/aggregates.js';
import type { CommandResult } from '../../commands/command-handler.js';
import type { UserEvent } from '../../domain/user/events.js';
import type { UserState } from '../../domain/user/state.js';
import type { Principal } from '../principal.js';
import { requireMayChangeRole } from '../policies.js';
import type { IdentityDeps } from './identity-deps.js';
import { commandContext, type RequestInfo } from './request-info.js';

export interface RoleChange {
  userId: string;
  role: Role;
  /** The target's user stream revision the caller saw (If-Match), if any. */
  ifMatch?: bigint;
}

export async function changeRole(
  deps: IdentityDeps,
  principal: Principal,
  change: RoleChange,
  kind: 'GrantRole' | 'RevokeRole',
  request: RequestInfo,
): Promise<CommandResult<UserState, UserEvent>> {
  const target = await deps.directory.getUser(change.userId);
  // Users of other tenants read as missing to an admin, so tenants cannot be probed.
  if (!target || (change.role !== 'operator' && target.tenantId !== principal.tenantId)) {
    throw new NotFoundError('no such user', { code: 'user_not_found' });
  }
  const actor = requireMayChangeRole(principal, target.tenantId, change.role);
  return deps.handler.handle(userAggregate, userStream(target.userId), { type: kind, data: { role: change.role } }, {
    context: commandContext(deps.runtime, request, { type: 'user', id: actor.userId }, target.tenantId),
    ...(change.ifMatch === undefined ? {} : { ifMatch: change.ifMatch }),
  });
}
