import type { ActiveUser } from '../../domain/user/state.js';
import { tenantStream } from '../../domain/tenant/streams.js';
import { tenantAggregate } from '../../commands/identity/aggregates.js';
import type { IdentityDeps } from './identity-deps.js';
import type { RequestInfo } from './request-info.js';
import { commandContext } from '../../commands/metadata.js';

/**
 * The owner of an address has just proven it, without the password, on an
 * account whose address was never verified: whoever created the account may
 * not be them (pre-account-takeover). Everything issued under the unproven
 * password ends: the password itself (when `password` is 'remove'), every
 * session, the API keys and pending invitations the account issued.
 *
 * Runs before the user's events (UserAccountClaimed is the commit point):
 * each step is idempotent, so a crash in between leaves the account
 * unverified and the owner's retry runs every step again.
 */
export async function endUnprovenAccess(deps: IdentityDeps, user: ActiveUser, password: 'remove' | 'keep', request: RequestInfo): Promise<void> {
  if (password === 'remove') await deps.credentials.remove(user.userId);
  await deps.sessions.endOthers(user.userId, null, 'account_claimed');
  await deps.apiKeyStore.revokeCreatedBy(user.tenantId, user.userId, deps.runtime.now());
  await deps.handler.handle(tenantAggregate, tenantStream(user.tenantId), { type: 'RevokeIssuedBy', data: { userId: user.userId, revokedBy: user.userId } }, {
    context: commandContext(deps.runtime, request, { type: 'system', id: 'identity' }, user.tenantId),
  });
}
