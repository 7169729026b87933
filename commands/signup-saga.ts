import { emailReservationStream } from '../domain/email/email-reservation.js';
import { INSTALLATION_STREAM } from '../domain/installation/installation.js';
import { ConflictError } from '../domain/shared/errors.js';
import { tenantStream } from '../domain/tenant/streams.js';
import type { ExternalIdentityClaims } from '../domain/user/commands.js';
import type { Role, TenantRole } from '../domain/user/roles.js';
import type { ActiveUser } from '../domain/user/state.js';
import { userStream } from '../domain/user/streams.js';
import type { Position } from '../infra/event-store/event-store.js';
import { emailReservationAggregate, installationAggregate, tenantAggregate, userAggregate } from './identity/aggregates.js';
import type { CommandHandler } from './command-handler.js';
import { withTenant, type CommandContext } from './metadata.js';
import type { Runtime } from './runtime.js';

export type TenantChoice =
  | { kind: 'new'; tenantId: string; tenantName: string }
  | { kind: 'invited'; tenantId: string; invitationId: string; tokenHash: string; role: TenantRole };

export interface SignupPlan {
  userId: string;
  /** Normalised. */
  email: string;
  displayName: string;
  method: 'password' | 'oidc';
  tenant: TenantChoice;
  externalIdentity: ExternalIdentityClaims | null;
  /** Roles beyond the tenant role, e.g. operator for an address in OPERATOR_EMAILS. */
  extraRoles: readonly Role[];
  /** Command-side state the user needs before it exists (its password hash); runs after the reservation. */
  beforeUserStream?: () => Promise<void>;
}

export interface SignupOutcome {
  user: ActiveUser;
  revision: bigint;
  position: Position | undefined;
}

export interface SignupSagaDeps {
  handler: CommandHandler;
  runtime: Runtime;
  /** A reservation whose user stream is still missing after this long is taken to be abandoned. */
  abandonedReservationMs: number;
}

/**
 * Signup touches up to four streams, and no store offers a transaction across
 * streams, so the order is chosen to make every crash point safe:
 *
 * 1. `email-<hash>`: reserve the address for this user id (the uniqueness
 *    guarantee; exactly one of any number of concurrent signups wins).
 * 2. `tenant-<id>`: create the new tenant, or accept the invitation.
 * 3. the credential (beforeUserStream), keyed by user id.
 * 4. `user-<id>`: UserSignedUp and the role grants; the commit point. Until
 *    it exists, the account does not: login and the directory read the
 *    reservation's user id and find no user.
 * 5. `tenant-<id>` again for an invited admin: the tenant's roster of admins
 *    (TenantAdminAdded; a new tenant's creator is on it from TenantCreated).
 * 6. `installation-main`: the first user of the installation becomes operator.
 *
 * A failure before 4 releases the reservation. A crash before 4 leaves a
 * reservation pointing at a missing user stream; the next signup for that
 * address finds it, and once it is older than `abandonedReservationMs`
 * releases it and proceeds. What else is left behind is inert: a tenant
 * nobody belongs to, a consumed invitation (the admin invites again), a
 * credential row for a user id that never exists. A crash after 4 costs an
 * invited admin their place on the roster (so the tenant counts one admin
 * fewer and may refuse to let another go until someone grants admin again)
 * or the operator grant, which login repairs (see ensureOperator).
 */
export class SignupSaga {
  constructor(private readonly deps: SignupSagaDeps) {}

  async run(plan: SignupPlan, context: CommandContext): Promise<SignupOutcome> {
    const tenantContext = withTenant(context, plan.tenant.tenantId);
    await this.reserve(plan, tenantContext);
    try {
      await this.joinTenant(plan, tenantContext);
      await plan.beforeUserStream?.();
    } catch (error) {
      await this.release(plan, tenantContext).catch(() => undefined);
      throw error;
    }
    const tenantRole: Role = plan.tenant.kind === 'new' ? 'admin' : plan.tenant.role;
    const signedUp = await this.deps.handler.handle(
      userAggregate,
      userStream(plan.userId),
      {
        type: 'SignUp',
        data: {
          userId: plan.userId,
          tenantId: plan.tenant.tenantId,
          email: plan.email,
          displayName: plan.displayName,
          method: plan.method,
          invitationId: plan.tenant.kind === 'invited' ? plan.tenant.invitationId : null,
          roles: [tenantRole, ...plan.extraRoles],
          externalIdentity: plan.externalIdentity,
        },
      },
      { context: tenantContext },
    );
    if (plan.tenant.kind === 'invited' && tenantRole === 'admin') {
      // After the user stream, so a crash before it leaves the tenant counting one admin fewer, never one more.
      await this.deps.handler.handle(tenantAggregate, tenantStream(plan.tenant.tenantId), { type: 'AddAdmin', data: { userId: plan.userId } }, { context: tenantContext });
    }
    const claimed = await this.claimInstallation(plan.userId, tenantContext);
    const final = claimed ? await this.grantOperator(plan.userId, tenantContext) : signedUp;
    if (final.state.status !== 'Active') throw new Error('signup did not produce an active user');
    return { user: final.state, revision: final.revision, position: final.position };
  }

  /** True when this user is the installation's first; repeated calls agree. */
  async claimInstallation(userId: string, context: CommandContext): Promise<boolean> {
    const result = await this.deps.handler.handle(installationAggregate, INSTALLATION_STREAM, { type: 'ClaimInstallation', data: { userId } }, {
      context: withTenant(context, null),
    });
    return result.state.status === 'Claimed' && result.state.firstUserId === userId;
  }

  private grantOperator(userId: string, context: CommandContext) {
    return this.deps.handler.handle(userAggregate, userStream(userId), { type: 'BootstrapOperator', data: {} }, { context });
  }

  private async reserve(plan: SignupPlan, context: CommandContext): Promise<void> {
    const stream = emailReservationStream(plan.email);
    const reserve = () =>
      this.deps.handler.handle(emailReservationAggregate, stream, { type: 'ReserveEmail', data: { email: plan.email, userId: plan.userId } }, { context });
    try {
      await reserve();
    } catch (error) {
      if (!(error instanceof ConflictError) || !(await this.releaseIfAbandoned(stream, context))) throw error;
      await reserve();
    }
  }

  private async releaseIfAbandoned(stream: string, context: CommandContext): Promise<boolean> {
    const reservation = await this.deps.handler.load(emailReservationAggregate, stream);
    if (reservation.state.status !== 'Reserved') return true;
    const last = reservation.recorded.at(-1);
    // The writer's clock (metadata) rather than the store's, so one clock measures both ends.
    const reservedAt = last ? Date.parse(String(last.metadata.occurredAt)) || last.recordedAt.getTime() : 0;
    if (this.deps.runtime.now().getTime() - reservedAt < this.deps.abandonedReservationMs) return false;
    const holder = await this.deps.handler.load(userAggregate, userStream(reservation.state.userId));
    if (holder.state.status !== 'Empty') return false;
    const { email, userId } = reservation.state;
    await this.deps.handler.handle(emailReservationAggregate, stream, { type: 'ReleaseEmail', data: { email, userId, reason: 'abandoned' } }, {
      context,
      ifMatch: reservation.revision,
    });
    return true;
  }

  private async release(plan: SignupPlan, context: CommandContext): Promise<void> {
    await this.deps.handler.handle(
      emailReservationAggregate,
      emailReservationStream(plan.email),
      { type: 'ReleaseEmail', data: { email: plan.email, userId: plan.userId, reason: 'abandoned' } },
      { context },
    );
  }

  private async joinTenant(plan: SignupPlan, context: CommandContext): Promise<void> {
    const tenant = plan.tenant;
    const stream = tenantStream(tenant.tenantId);
    if (tenant.kind === 'new') {
      await this.deps.handler.handle(tenantAggregate, stream, { type: 'CreateTenant', data: { tenantId: tenant.tenantId, name: tenant.tenantName, createdBy: plan.userId } }, { context });
      return;
    }
    await this.deps.handler.handle(
      tenantAggregate,
      stream,
      {
        type: 'AcceptInvitation',
        data: { invitationId: tenant.invitationId, tokenHash: tenant.tokenHash, userId: plan.userId, email: plan.email, now: this.deps.runtime.now().toISOString() },
      },
      { context },
    );
  }
}
