import type { TenantRole } from '../user/roles.js';

export interface Invitation {
  email: string;
  role: TenantRole;
  invitedBy: string;
  expiresAt: string;
  tokenHash: string;
  acceptedBy: string | null;
  revoked: boolean;
}

export interface ApiKeySummary {
  name: string;
  issuedBy: string;
  revoked: boolean;
}

export type TenantState =
  | { status: 'Empty' }
  | {
      status: 'Active';
      tenantId: string;
      name: string;
      invitations: Readonly<Record<string, Invitation>>;
      apiKeys: Readonly<Record<string, ApiKeySummary>>;
      /**
       * User ids of the enabled admins, never more than the tenant really has:
       * an admin is added after their role is recorded and removed before it
       * is revoked (auth/identity/admin-roster.ts), so a crash in between can
       * only make the tenant count fewer.
       */
      admins: readonly string[];
    };

export type ActiveTenant = Extract<TenantState, { status: 'Active' }>;
