import type { Principal } from '../../auth/principal.js';
import { GUEST, type Caller, type UserCaller } from '../../domain/shared/caller.js';
import { requireUser } from '../../auth/policies.js';

/**
 * Who asks, as the content rules see it. An API key acts for a machine, not
 * a person: it reads what a guest reads, and changes nothing (403
 * `user_required`), since content has an author and an owner.
 */
export function callerOf(principal: Principal | undefined): Caller {
  if (!principal || principal.kind !== 'user') return GUEST;
  return userCaller(principal);
}

/** For commands: a user, or 403 `user_required` for an API key. */
export function requireUserCaller(principal: Principal): UserCaller {
  return userCaller(requireUser(principal));
}

function userCaller(principal: Extract<Principal, { kind: 'user' }>): UserCaller {
  return { type: 'user', userId: principal.userId, tenantId: principal.tenantId, admin: principal.roles.includes('admin') };
}
