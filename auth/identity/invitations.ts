import { createHash, randomBytes } from 'node:crypto';
import { normaliseEmail } from '../../domain/email/email-address.js';
import { ConflictError, NotFoundError } from '../../domain/shared/errors.js';
import { accountDisabled } from '../../domain/user/decider.js';
import type { Position } from '../../infra/event-store/event-store.js';
import { tenantStream } from '../../domain/tenant/streams.js';
import type { TenantRole } from '../../domain/user/roles.js';
import { tenantAggregate } from '../../commands/identity/aggregates.js';
import type { TenantChoice } from '../../commands/signup-saga.js';
import type { Principal } from '../principal.js';
import { requireTenantAdmin } from '../policies.js';
import type { IdentityDeps } from './identity-deps.js';
import type { RequestInfo } from './request-info.js';
import { commandContext } from '../../commands/metadata.js';
import { issuerStillEnabled } from './user-admin.js';

const TOKEN_PREFIX = 'chi_';

export interface IssuedInvitation {
  invitationId: string;
  /** Shown once, to be sent to the invitee; only its SHA-256 is kept. */
  token: string;
  email: string;
  role: TenantRole;
  expiresAt: string;
  /** The tenant stream's revision and the log position of the invitation (for X-Min-Position). */
  revision: bigint;
  position: Position | undefined;
}

/** An admin invites an email into their tenant, as member unless told otherwise. */
export async function inviteToTenant(
  deps: IdentityDeps,
  principal: Principal,
  input: { email: string; role?: TenantRole },
  request: RequestInfo,
): Promise<IssuedInvitation> {
  const admin = requireTenantAdmin(principal, principal.tenantId);
  const invitationId = deps.runtime.newId();
  // The token names its tenant and invitation so acceptance can find them; the random part is the secret.
  const token = `${TOKEN_PREFIX}${admin.tenantId}.${invitationId}.${randomBytes(32).toString('base64url')}`;
  const email = normaliseEmail(input.email);
  // An account belongs to one tenant: an invitation for an address that has one could never be accepted.
  if (await deps.directory.findUserByEmail(email)) throw new ConflictError('an account with this email already exists', { code: 'email_taken' });
  const role = input.role ?? 'member';
  const expiresAt = new Date(deps.runtime.now().getTime() + deps.settings.invitationTtlSeconds * 1000).toISOString();
  const context = commandContext(deps.runtime, request, { type: 'user', id: admin.userId }, admin.tenantId);
  const issued = await deps.handler.handle(
    tenantAggregate,
    tenantStream(admin.tenantId),
    { type: 'IssueInvitation', data: { invitationId, email, role, invitedBy: admin.userId, expiresAt, tokenHash: hashInvitationToken(token) } },
    { context },
  );
  if (!(await issuerStillEnabled(deps, admin.userId))) {
    await revokeInvitation(deps, admin, invitationId, request);
    throw accountDisabled();
  }
  return { invitationId, token, email, role, expiresAt, revision: issued.revision, position: issued.position };
}

/** An admin withdraws a pending invitation: its token no longer admits anyone (409 once it was used). */
export async function revokeInvitation(deps: IdentityDeps, principal: Principal, invitationId: string, request: RequestInfo): Promise<void> {
  const admin = requireTenantAdmin(principal, principal.tenantId);
  await deps.handler.handle(tenantAggregate, tenantStream(admin.tenantId), { type: 'RevokeInvitation', data: { invitationId, revokedBy: admin.userId } }, {
    context: commandContext(deps.runtime, request, { type: 'user', id: admin.userId }, admin.tenantId),
  });
}

/** Reads what signup needs from the token; validity (hash, expiry, email, single use) is the tenant decider's to judge. */
export async function resolveInvitation(deps: IdentityDeps, token: string): Promise<Extract<TenantChoice, { kind: 'invited' }>> {
  const [tenantId, invitationId] = token.startsWith(TOKEN_PREFIX) ? token.slice(TOKEN_PREFIX.length).split('.') : [];
  if (!tenantId || !invitationId) throw notFound();
  const tenant = await deps.handler.load(tenantAggregate, tenantStream(tenantId));
  const invitation = tenant.state.status === 'Active' ? tenant.state.invitations[invitationId] : undefined;
  if (!invitation) throw notFound();
  return { kind: 'invited', tenantId, invitationId, tokenHash: hashInvitationToken(token), role: invitation.role };
}

function hashInvitationToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

function notFound(): NotFoundError {
  return new NotFoundError('no such invitation', { code: 'invitation_not_found' });
}
