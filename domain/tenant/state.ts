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
    };

export type ActiveTenant = Extract<TenantState, { status: 'Active' }>;
