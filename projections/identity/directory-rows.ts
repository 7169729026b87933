import type { TenantEvent } from '../../domain/tenant/events.js';
import type { TenantRole } from '../../domain/user/roles.js';
import type { Role } from '../../domain/user/roles.js';
import type { UserEvent } from '../../domain/user/events.js';

/** Where and when an event was recorded: what rows keep of it (never the clock of the process applying it). */
export interface EventPlace {
  position: string;
  recordedAt: string;
  /** The tenant of a tenant stream's event, from the stream's name. */
  streamTenantId: string;
}

/** One member of a tenant, as its admins list them. */
export interface DirectoryUserRow {
  user_id: string;
  tenant_id: string;
  email: string;
  display_name: string;
  roles: Role[];
  disabled: boolean;
  email_verified: boolean;
  joined_at: string;
  /** Log position of UserSignedUp: the order members are listed in, and the page cursor. */
  joined_position: string;
}

export interface DirectoryInvitationRow {
  invitation_id: string;
  tenant_id: string;
  email: string;
  role: TenantRole;
  invited_by: string;
  expires_at: string;
  issued_at: string;
  issued_position: string;
  accepted_by: string | null;
  revoked: boolean;
}

/** A member's row after one event of their stream; pure, so a replay builds the same rows. */
export function evolveUserRow(row: DirectoryUserRow | null, event: UserEvent, place: EventPlace): DirectoryUserRow | null {
  switch (event.type) {
    case 'UserSignedUp':
      return {
        user_id: event.data.userId,
        tenant_id: event.data.tenantId,
        email: event.data.email,
        display_name: event.data.displayName,
        roles: [],
        disabled: false,
        email_verified: false,
        joined_at: place.recordedAt,
        joined_position: place.position,
      };
    case 'UserRoleGranted':
      return row && !row.roles.includes(event.data.role) ? { ...row, roles: [...row.roles, event.data.role] } : row;
    case 'UserRoleRevoked':
      return row && { ...row, roles: row.roles.filter((role) => role !== event.data.role) };
    case 'UserEmailVerified':
      return row && row.email === event.data.email ? { ...row, email_verified: true } : row;
    case 'UserDisabled':
    case 'UserEnabled':
      return row && { ...row, disabled: event.type === 'UserDisabled' };
    case 'UserLoggedIn':
    case 'UserLoginFailed':
    case 'UserPasswordChanged':
    case 'UserPasswordReset':
    case 'UserAccountClaimed':
    case 'ExternalIdentityLinked':
      return row;
    default: {
      const _exhaustive: never = event;
      return _exhaustive;
    }
  }
}

/** An invitation's row after one event of its tenant's stream. */
export function evolveInvitationRow(row: DirectoryInvitationRow | null, event: TenantEvent, place: EventPlace): DirectoryInvitationRow | null {
  switch (event.type) {
    case 'TenantInvitationIssued':
      return {
        invitation_id: event.data.invitationId,
        tenant_id: place.streamTenantId,
        email: event.data.email,
        role: event.data.role,
        invited_by: event.data.invitedBy,
        expires_at: event.data.expiresAt,
        issued_at: place.recordedAt,
        issued_position: place.position,
        accepted_by: null,
        revoked: false,
      };
    case 'TenantInvitationAccepted':
      return row && { ...row, accepted_by: event.data.userId };
    case 'TenantInvitationRevoked':
      return row && { ...row, revoked: true };
    case 'TenantCreated':
    case 'ApiKeyIssued':
    case 'ApiKeyRevoked':
    case 'TenantAdminAdded':
    case 'TenantAdminRemoved':
      return row;
    default: {
      const _exhaustive: never = event;
      return _exhaustive;
    }
  }
}

/** The invitation an event of a tenant stream is about, if any. */
export function invitationIdOf(event: TenantEvent): string | undefined {
  switch (event.type) {
    case 'TenantInvitationIssued':
    case 'TenantInvitationAccepted':
    case 'TenantInvitationRevoked':
      return event.data.invitationId;
    default:
      return undefined;
  }
}
