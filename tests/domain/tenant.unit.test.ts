import { describe, it } from '@jest/globals';
import { ConflictError, ForbiddenError, NotFoundError } from '../../domain/shared/errors.js';
import { tenantDecider, type TenantEvent } from '../../domain/tenant/index.js';
import { deciderSpec } from '../support/decider-spec.js';

const spec = deciderSpec(tenantDecider);
const created: TenantEvent = { type: 'TenantCreated', data: { tenantId: 't-1', name: 'Acme', createdBy: 'u-1' } };
const invited: TenantEvent = {
  type: 'TenantInvitationIssued',
  data: { invitationId: 'i-1', email: 'bob@example.com', role: 'member', invitedBy: 'u-1', expiresAt: '2030-01-01T00:00:00.000Z', tokenHash: 'h' },
};
const accept = (overrides: Partial<{ tokenHash: string; userId: string; email: string; now: string }> = {}) => ({
  type: 'AcceptInvitation' as const,
  data: { invitationId: 'i-1', tokenHash: 'h', userId: 'u-2', email: 'bob@example.com', now: '2029-01-01T00:00:00.000Z', ...overrides },
});
const keyIssued: TenantEvent = { type: 'ApiKeyIssued', data: { keyId: 'k-1', name: 'ingest', displayPrefix: 'chk_abcd', rateLimitPerMinute: 60, issuedBy: 'u-1', scopes: ['ingest'] } };

describe('tenant decider', () => {
  it('creates a tenant once', () => {
    spec.given([]).when({ type: 'CreateTenant', data: created.data }).then([created]);
    spec.given([created]).when({ type: 'CreateTenant', data: created.data }).thenThrows(ConflictError, 'tenant_exists');
  });

  it('accepts a valid invitation once, for its email, before it expires', () => {
    spec.given([created, invited]).when(accept()).then([{ type: 'TenantInvitationAccepted', data: { invitationId: 'i-1', userId: 'u-2' } }]);
    const accepted: TenantEvent = { type: 'TenantInvitationAccepted', data: { invitationId: 'i-1', userId: 'u-2' } };
    spec.given([created, invited, accepted]).when(accept({ userId: 'u-3' })).thenThrows(ConflictError, 'invitation_used');
    spec.given([created, invited]).when(accept({ now: '2031-01-01T00:00:00.000Z' })).thenThrows(ForbiddenError, 'invitation_expired');
    spec.given([created, invited]).when(accept({ email: 'eve@example.com' })).thenThrows(ForbiddenError, 'invitation_email_mismatch');
  });

  it('answers a wrong token like a missing invitation', () => {
    spec.given([created, invited]).when(accept({ tokenHash: 'other' })).thenThrows(NotFoundError, 'invitation_not_found');
    spec.given([created]).when(accept()).thenThrows(NotFoundError, 'invitation_not_found');
  });

  const cap = (points: number) => ({ points, name: 'api_keys_per_tenant', variable: 'API_KEYS_PER_TENANT' });
  const issueKey = (keyId: string, points = 100) => ({ type: 'IssueApiKey' as const, data: { ...keyIssued.data, keyId, activeKeyCap: cap(points) } });

  it('issues and revokes api keys', () => {
    spec.given([created]).when(issueKey('k-1')).then([keyIssued]);
    spec.given([created, keyIssued]).when({ type: 'RevokeApiKey', data: { keyId: 'k-1', revokedBy: 'u-1' } }).then([
      { type: 'ApiKeyRevoked', data: { keyId: 'k-1', revokedBy: 'u-1' } },
    ]);
    spec.given([created, keyIssued, { type: 'ApiKeyRevoked', data: { keyId: 'k-1', revokedBy: 'u-1' } }])
      .when({ type: 'RevokeApiKey', data: { keyId: 'k-1', revokedBy: 'u-1' } })
      .then([]);
    spec.given([created]).when({ type: 'RevokeApiKey', data: { keyId: 'k-9', revokedBy: 'u-1' } }).thenThrows(NotFoundError, 'api_key_not_found');
  });

  it('records a key\'s scopes once each, in one order, whatever the command listed', () => {
    const command = issueKey('k-1');
    spec.given([created]).when({ ...command, data: { ...command.data, scopes: ['admin', 'ingest', 'admin'] } }).then([
      { type: 'ApiKeyIssued', data: { ...keyIssued.data, scopes: ['ingest', 'admin'] } },
    ]);
  });

  it('refuses a key beyond the cap of active keys; a revoked key frees its place', () => {
    const second: TenantEvent = { type: 'ApiKeyIssued', data: { ...keyIssued.data, keyId: 'k-2' } };
    spec.given([created, keyIssued, second]).when(issueKey('k-3', 2)).thenThrows(ConflictError, 'api_key_limit_reached');
    const revoked: TenantEvent = { type: 'ApiKeyRevoked', data: { keyId: 'k-1', revokedBy: 'u-1' } };
    spec.given([created, keyIssued, second, revoked]).when(issueKey('k-3', 2)).then([{ type: 'ApiKeyIssued', data: { ...keyIssued.data, keyId: 'k-3' } }]);
  });

  it('refuses everything but creation on a missing tenant', () => {
    spec.given([]).when(issueKey('k-1')).thenThrows(NotFoundError, 'tenant_not_found');
  });

  it('revokes a pending invitation once; a revoked one admits nobody and an accepted one cannot be revoked', () => {
    const revoked: TenantEvent = { type: 'TenantInvitationRevoked', data: { invitationId: 'i-1', revokedBy: 'u-1' } };
    spec.given([created, invited]).when({ type: 'RevokeInvitation', data: { invitationId: 'i-1', revokedBy: 'u-1' } }).then([revoked]);
    spec.given([created, invited, revoked]).when({ type: 'RevokeInvitation', data: { invitationId: 'i-1', revokedBy: 'u-1' } }).then([]);
    spec.given([created, invited, revoked]).when(accept()).thenThrows(NotFoundError, 'invitation_not_found');
    const accepted: TenantEvent = { type: 'TenantInvitationAccepted', data: { invitationId: 'i-1', userId: 'u-2' } };
    spec.given([created, invited, accepted]).when({ type: 'RevokeInvitation', data: { invitationId: 'i-1', revokedBy: 'u-1' } }).thenThrows(ConflictError, 'invitation_used');
    spec.given([created]).when({ type: 'RevokeInvitation', data: { invitationId: 'constructor', revokedBy: 'u-1' } }).thenThrows(NotFoundError, 'invitation_not_found');
  });

  it('revokes every api key and pending invitation one user issued, and nothing of anyone else', () => {
    const otherKey: TenantEvent = { type: 'ApiKeyIssued', data: { ...keyIssued.data, keyId: 'k-2', issuedBy: 'u-9' } };
    const revokedKey: TenantEvent = { type: 'ApiKeyIssued', data: { ...keyIssued.data, keyId: 'k-3' } };
    const otherInvitation: TenantEvent = { type: 'TenantInvitationIssued', data: { ...invited.data, invitationId: 'i-2', invitedBy: 'u-9' } };
    const acceptedInvitation: TenantEvent = { type: 'TenantInvitationIssued', data: { ...invited.data, invitationId: 'i-3' } };
    spec
      .given([
        created,
        keyIssued,
        otherKey,
        revokedKey,
        { type: 'ApiKeyRevoked', data: { keyId: 'k-3', revokedBy: 'u-1' } },
        invited,
        otherInvitation,
        acceptedInvitation,
        { type: 'TenantInvitationAccepted', data: { invitationId: 'i-3', userId: 'u-5' } },
      ])
      .when({ type: 'RevokeIssuedBy', data: { userId: 'u-1', revokedBy: 'u-1' } })
      .then([
        { type: 'ApiKeyRevoked', data: { keyId: 'k-1', revokedBy: 'u-1' } },
        { type: 'TenantInvitationRevoked', data: { invitationId: 'i-1', revokedBy: 'u-1' } },
      ]);
  });

  it('finds no api key called constructor', () => {
    spec.given([created]).when({ type: 'RevokeApiKey', data: { keyId: 'constructor', revokedBy: 'u-1' } }).thenThrows(NotFoundError, 'api_key_not_found');
  });

  it('keeps a roster of admins, starting with the creator, and never lets the last one go', () => {
    const added: TenantEvent = { type: 'TenantAdminAdded', data: { userId: 'u-2' } };
    spec.given([created]).when({ type: 'AddAdmin', data: { userId: 'u-2' } }).then([added]);
    spec.given([created, added]).when({ type: 'AddAdmin', data: { userId: 'u-2' } }).then([]);
    spec.given([created]).when({ type: 'RemoveAdmin', data: { userId: 'u-1', reason: 'role_revoked' } }).thenThrows(ConflictError, 'last_admin');
    spec.given([created, added]).when({ type: 'RemoveAdmin', data: { userId: 'u-1', reason: 'user_disabled' } }).then([
      { type: 'TenantAdminRemoved', data: { userId: 'u-1', reason: 'user_disabled' } },
    ]);
    const removed: TenantEvent = { type: 'TenantAdminRemoved', data: { userId: 'u-1', reason: 'role_revoked' } };
    spec.given([created, added, removed]).when({ type: 'RemoveAdmin', data: { userId: 'u-2', reason: 'role_revoked' } }).thenThrows(ConflictError, 'last_admin');
    // Someone who is not on the roster leaves nothing to remove.
    spec.given([created]).when({ type: 'RemoveAdmin', data: { userId: 'u-9', reason: 'role_revoked' } }).then([]);
  });
});
