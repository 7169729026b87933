import type { TenantRole } from '../user/roles.js';
import type { ApiKeyScope } from './api-key-scopes.js';

/** The most active (unrevoked) API keys a tenant may hold, and what sets that number, for the answer past it. */
export interface ActiveKeyCap {
  points: number;
  name: string;
  variable: string;
}

export type TenantCommand =
  | { type: 'CreateTenant'; data: { tenantId: string; name: string; createdBy: string } }
  | {
      type: 'IssueInvitation';
      data: { invitationId: string; email: string; role: TenantRole; invitedBy: string; expiresAt: string; tokenHash: string };
    }
  | {
      type: 'AcceptInvitation';
      /** `now` is an ISO time from the caller's clock; `email` is the accepting user's, normalised. */
      data: { invitationId: string; tokenHash: string; userId: string; email: string; now: string };
    }
  | {
      type: 'IssueApiKey';
      /** Refused with `api_key_limit_reached` when the tenant already holds `activeKeyCap.points` active keys. */
      data: {
        keyId: string;
        name: string;
        displayPrefix: string;
        rateLimitPerMinute: number;
        issuedBy: string;
        scopes: readonly ApiKeyScope[];
        activeKeyCap: ActiveKeyCap;
      };
    }
  | { type: 'RevokeApiKey'; data: { keyId: string; revokedBy: string } }
  | { type: 'RevokeInvitation'; data: { invitationId: string; revokedBy: string } }
  | { type: 'AddAdmin'; data: { userId: string } }
  /** Refused with `last_admin` when the user is the tenant's only admin. */
  | { type: 'RemoveAdmin'; data: { userId: string; reason: 'role_revoked' | 'user_disabled' } }
  /**
   * Ends every API key and pending invitation a user issued, e.g. when the
   * owner of the user's email claims an account someone else created with it.
   */
  | { type: 'RevokeIssuedBy'; data: { userId: string; revokedBy: string } };
