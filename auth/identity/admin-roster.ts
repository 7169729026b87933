import type { CommandContext } from '../../commands/metadata.js';
import { tenantAggregate } from '../../commands/identity/aggregates.js';
import { tenantStream } from '../../domain/tenant/streams.js';
import type { ActiveUser } from '../../domain/user/state.js';
import type { IdentityDeps } from './identity-deps.js';

/**
 * A tenant is never left without an admin. Roles live on user streams, and
 * no store offers a transaction across streams, so the tenant keeps a
 * roster of its enabled admins on its own stream, where "not the last one"
 * is one decision serialised by the stream's revision (two admins stepping
 * down at once: one wins, the other gets 409 `last_admin`).
 *
 * The roster may count fewer admins than there are, never more: a user
 * joins it after their admin role (or their enabling) is recorded, and
 * leaves it before the role is revoked (or the user disabled). A crash
 * between the two steps can only leave an admin off the roster, which at
 * worst refuses a later removal until someone grants that user admin again
 * (which puts them back).
 */
export async function leaveAdminRoster(deps: IdentityDeps, user: ActiveUser, reason: 'role_revoked' | 'user_disabled', context: CommandContext): Promise<void> {
  await deps.handler.handle(tenantAggregate, tenantStream(user.tenantId), { type: 'RemoveAdmin', data: { userId: user.userId, reason } }, { context });
}

/** After the user's admin role (or enabling) is recorded, and only for an enabled user who holds it now. */
export async function joinAdminRoster(deps: IdentityDeps, user: ActiveUser, context: CommandContext): Promise<void> {
  if (!user.roles.includes('admin') || user.disabled) return;
  await deps.handler.handle(tenantAggregate, tenantStream(user.tenantId), { type: 'AddAdmin', data: { userId: user.userId } }, { context });
}
