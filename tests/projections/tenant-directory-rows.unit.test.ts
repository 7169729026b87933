import { describe, expect, it } from '@jest/globals';
import type { TenantEvent } from '../../domain/tenant/events.js';
import type { UserEvent } from '../../domain/user/events.js';
import {
  evolveInvitationRow,
  evolveUserRow,
  type DirectoryInvitationRow,
  type DirectoryUserRow,
  type EventPlace,
} from '../../projections/identity/directory-rows.js';

const place = (position: number): EventPlace => ({ position: String(position), recordedAt: `2030-01-01T00:00:0${position}.000Z`, streamTenantId: 't-1' });
const userRows = (events: readonly UserEvent[]) =>
  events.reduce<DirectoryUserRow | null>((row, event, index) => evolveUserRow(row, event, place(index + 1)), null);
const invitationRows = (events: readonly TenantEvent[]) =>
  events.reduce<DirectoryInvitationRow | null>((row, event, index) => evolveInvitationRow(row, event, place(index + 1)), null);

const userId = 'u-1';
const signedUp: UserEvent = {
  type: 'UserSignedUp',
  data: { userId, tenantId: 't-1', email: 'ada@example.com', displayName: 'Ada', method: 'password', invitationId: null },
};

describe('tenant directory rows', () => {
  it('given a signup, role changes, a verified email, a disable and logins, then one member row', () => {
    expect(
      userRows([
        signedUp,
        { type: 'UserRoleGranted', data: { userId, role: 'admin' } },
        { type: 'UserRoleGranted', data: { userId, role: 'member' } },
        { type: 'UserLoggedIn', data: { userId, method: 'password', sessionId: 's-1', provider: null } },
        { type: 'UserRoleRevoked', data: { userId, role: 'admin' } },
        { type: 'UserEmailVerified', data: { userId, email: 'ada@example.com', method: 'link' } },
        { type: 'UserDisabled', data: { userId } },
      ]),
    ).toEqual({
      user_id: userId,
      tenant_id: 't-1',
      email: 'ada@example.com',
      display_name: 'Ada',
      roles: ['member'],
      disabled: true,
      email_verified: true,
      joined_at: '2030-01-01T00:00:01.000Z',
      joined_position: '1',
    });
  });

  it('given an invitation issued then accepted or withdrawn, then its row says so', () => {
    const issued: TenantEvent = {
      type: 'TenantInvitationIssued',
      data: { invitationId: 'i-1', email: 'bob@example.com', role: 'member', invitedBy: userId, expiresAt: '2030-02-01T00:00:00.000Z', tokenHash: 'h' },
    };
    expect(invitationRows([issued, { type: 'TenantInvitationAccepted', data: { invitationId: 'i-1', userId: 'u-2' } }])).toMatchObject({
      invitation_id: 'i-1',
      tenant_id: 't-1',
      accepted_by: 'u-2',
      revoked: false,
      issued_position: '1',
    });
    expect(invitationRows([issued, { type: 'TenantInvitationRevoked', data: { invitationId: 'i-1', revokedBy: userId } }])).toMatchObject({ revoked: true });
    expect(JSON.stringify(invitationRows([issued]))).not.toContain('tokenHash');
  });
});
