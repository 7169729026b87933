import type { Decider } from '../shared/decider.js';
import { ConflictError, ForbiddenError, NotFoundError } from '../shared/errors.js';
import type { TenantCommand } from './commands.js';
import type { TenantEvent } from './events.js';
import type { ActiveTenant, TenantState } from './state.js';

export const tenantDecider: Decider<TenantState, TenantCommand, TenantEvent> = {
  initialState: () => ({ status: 'Empty' }),
  evolve,
  decide,
};

function evolve(state: TenantState, event: TenantEvent): TenantState {
  if (event.type === 'TenantCreated') {
    return { status: 'Active', tenantId: event.data.tenantId, name: event.data.name, invitations: {}, apiKeys: {} };
  }
  if (state.status !== 'Active') return state;
  switch (event.type) {
    case 'TenantInvitationIssued': {
      const { invitationId, email, role, expiresAt, tokenHash } = event.data;
      return { ...state, invitations: { ...state.invitations, [invitationId]: { email, role, expiresAt, tokenHash, acceptedBy: null } } };
    }
    case 'TenantInvitationAccepted': {
      const invitation = state.invitations[event.data.invitationId];
      if (!invitation) return state;
      return { ...state, invitations: { ...state.invitations, [event.data.invitationId]: { ...invitation, acceptedBy: event.data.userId } } };
    }
    case 'ApiKeyIssued':
      return { ...state, apiKeys: { ...state.apiKeys, [event.data.keyId]: { name: event.data.name, revoked: false } } };
    case 'ApiKeyRevoked': {
      const key = state.apiKeys[event.data.keyId];
      return key ? { ...state, apiKeys: { ...state.apiKeys, [event.data.keyId]: { ...key, revoked: true } } } : state;
    }
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
      const invitation = tenant.invitations[invitationId];
      // One answer for "no such invitation" and "wrong token", so ids cannot be probed.
      if (!invitation || invitation.tokenHash !== command.data.tokenHash) {
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
    case 'IssueApiKey':
      if (tenant.apiKeys[command.data.keyId]) throw new ConflictError('the api key id is taken', { code: 'api_key_exists' });
      return [{ type: 'ApiKeyIssued', data: command.data }];
    case 'RevokeApiKey': {
      const key = tenant.apiKeys[command.data.keyId];
      if (!key) throw new NotFoundError('no such api key', { code: 'api_key_not_found' });
      return key.revoked ? [] : [{ type: 'ApiKeyRevoked', data: command.data }];
    }
    default: {
      const _exhaustive: never = command;
      return _exhaustive;
    }
  }
}
