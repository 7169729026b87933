import type { Decider } from '../shared/decider.js';
import { ConflictError, ForbiddenError, NotFoundError } from '../shared/errors.js';
import { API_KEY_SCOPES } from './api-key-scopes.js';
import type { ActiveKeyCap, TenantCommand } from './commands.js';
import type { TenantEvent } from './events.js';
import type { ActiveTenant, TenantState } from './state.js';

export const tenantDecider: Decider<TenantState, TenantCommand, TenantEvent> = {
  initialState: () => ({ status: 'Empty' }),
  evolve,
  decide,
};

function evolve(state: TenantState, event: TenantEvent): TenantState {
  if (event.type === 'TenantCreated') {
    return { status: 'Active', tenantId: event.data.tenantId, name: event.data.name, invitations: {}, apiKeys: {}, admins: [event.data.createdBy] };
  }
  if (state.status !== 'Active') return state;
  switch (event.type) {
    case 'TenantInvitationIssued': {
      const { invitationId, email, role, invitedBy, expiresAt, tokenHash } = event.data;
      const invitation = { email, role, invitedBy, expiresAt, tokenHash, acceptedBy: null, revoked: false };
      return { ...state, invitations: { ...state.invitations, [invitationId]: invitation } };
    }
    case 'TenantInvitationAccepted': {
      const invitation = own(state.invitations, event.data.invitationId);
      if (!invitation) return state;
      return { ...state, invitations: { ...state.invitations, [event.data.invitationId]: { ...invitation, acceptedBy: event.data.userId } } };
    }
    case 'TenantInvitationRevoked': {
      const invitation = own(state.invitations, event.data.invitationId);
      if (!invitation) return state;
      return { ...state, invitations: { ...state.invitations, [event.data.invitationId]: { ...invitation, revoked: true } } };
    }
    case 'ApiKeyIssued':
      return { ...state, apiKeys: { ...state.apiKeys, [event.data.keyId]: { name: event.data.name, issuedBy: event.data.issuedBy, revoked: false } } };
    case 'ApiKeyRevoked': {
      const key = own(state.apiKeys, event.data.keyId);
      return key ? { ...state, apiKeys: { ...state.apiKeys, [event.data.keyId]: { ...key, revoked: true } } } : state;
    }
    case 'TenantAdminAdded':
      return state.admins.includes(event.data.userId) ? state : { ...state, admins: [...state.admins, event.data.userId] };
    case 'TenantAdminRemoved':
      return { ...state, admins: state.admins.filter((userId) => userId !== event.data.userId) };
    default: {
      const _exhaustive: never = event;
      return _exhaustive;
    }
  }
}

function decide(command: TenantCommand, state: TenantState): TenantEvent[] {
  if (command.type === 'CreateTenant') {
    if (state.status !== 'Empty') throw new ConflictError('the tenant already exists', { code: 'tenant_exists' });
    return [{ type: 'TenantCreated', data: command.data }];
  }
  if (state.status !== 'Active') throw new NotFoundError('no such tenant', { code: 'tenant_not_found' });
  return decideForActive(command, state);
}

function decideForActive(command: Exclude<TenantCommand, { type: 'CreateTenant' }>, tenant: ActiveTenant): TenantEvent[] {
  switch (command.type) {
    case 'IssueInvitation':
      if (tenant.invitations[command.data.invitationId]) return [];
      return [{ type: 'TenantInvitationIssued', data: command.data }];
    case 'AcceptInvitation': {
      const { invitationId, userId } = command.data;
      const invitation = own(tenant.invitations, invitationId);
      // One answer for "no such invitation", "wrong token" and "withdrawn", so ids cannot be probed.
      if (!invitation || invitation.tokenHash !== command.data.tokenHash || invitation.revoked) {
        throw new NotFoundError('no such invitation', { code: 'invitation_not_found' });
      }
      if (invitation.acceptedBy === userId) return [];
      if (invitation.acceptedBy !== null) throw new ConflictError('the invitation was already used', { code: 'invitation_used' });
      if (Date.parse(invitation.expiresAt) <= Date.parse(command.data.now)) {
        throw new ForbiddenError('the invitation has expired', { code: 'invitation_expired' });
      }
      if (invitation.email !== command.data.email) {
        throw new ForbiddenError('the invitation is for another email', { code: 'invitation_email_mismatch' });
      }
      return [{ type: 'TenantInvitationAccepted', data: { invitationId, userId } }];
    }
    case 'IssueApiKey': {
      const { activeKeyCap, scopes, ...key } = command.data;
      if (own(tenant.apiKeys, key.keyId)) throw new ConflictError('the api key id is taken', { code: 'api_key_exists' });
      refuseBeyondCap(tenant, activeKeyCap);
      // Sorted and once each, so the event says the same thing however the request listed them.
      return [{ type: 'ApiKeyIssued', data: { ...key, scopes: API_KEY_SCOPES.filter((scope) => scopes.includes(scope)) } }];
    }
    case 'RevokeApiKey': {
      const key = own(tenant.apiKeys, command.data.keyId);
      if (!key) throw new NotFoundError('no such api key', { code: 'api_key_not_found' });
      return key.revoked ? [] : [{ type: 'ApiKeyRevoked', data: command.data }];
    }
    case 'RevokeInvitation': {
      const invitation = own(tenant.invitations, command.data.invitationId);
      if (!invitation) throw new NotFoundError('no such invitation', { code: 'invitation_not_found' });
      if (invitation.acceptedBy !== null) throw new ConflictError('the invitation was already used', { code: 'invitation_used' });
      return invitation.revoked ? [] : [{ type: 'TenantInvitationRevoked', data: command.data }];
    }
    case 'AddAdmin':
      return tenant.admins.includes(command.data.userId) ? [] : [{ type: 'TenantAdminAdded', data: command.data }];
    case 'RemoveAdmin': {
      const { userId } = command.data;
      if (!tenant.admins.includes(userId)) return [];
      if (tenant.admins.length === 1) {
        throw new ConflictError('the tenant would be left without an admin; make someone else admin first', { code: 'last_admin' });
      }
      return [{ type: 'TenantAdminRemoved', data: command.data }];
    }
    case 'RevokeIssuedBy': {
      const { userId, revokedBy } = command.data;
      const keys = Object.entries(tenant.apiKeys).filter(([, key]) => key.issuedBy === userId && !key.revoked);
      const invitations = Object.entries(tenant.invitations).filter(
        ([, invitation]) => invitation.invitedBy === userId && invitation.acceptedBy === null && !invitation.revoked,
      );
      return [
        ...keys.map(([keyId]): TenantEvent => ({ type: 'ApiKeyRevoked', data: { keyId, revokedBy } })),
        ...invitations.map(([invitationId]): TenantEvent => ({ type: 'TenantInvitationRevoked', data: { invitationId, revokedBy } })),
      ];
    }
    default: {
      const _exhaustive: never = command;
      return _exhaustive;
    }
  }
}

/** Decided on the stream's state, so concurrent issues cannot pass the cap together (the append's revision check). */
function refuseBeyondCap(tenant: ActiveTenant, cap: ActiveKeyCap): void {
  const active = Object.values(tenant.apiKeys).filter((key) => !key.revoked).length;
  if (active < cap.points) return;
  throw new ConflictError(`the tenant already holds ${active} active API keys, the most ${cap.variable} allows; revoke one first`, {
    code: 'api_key_limit_reached',
    details: [{ limit: cap.name, variable: cap.variable, points: cap.points, activeKeys: active }],
  });
}

/** Ids come from requests: `constructor` or `__proto__` must not find the prototype's members. */
function own<T>(record: Readonly<Record<string, T>>, id: string): T | undefined {
  return Object.hasOwn(record, id) ? record[id] : undefined;
}
