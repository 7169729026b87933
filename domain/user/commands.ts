import type { Role } from './roles.js';

export interface ExternalIdentityClaims {
  provider: string;
  issuer: string;
  subject: string;
  email: string | null;
  emailVerified: boolean;
}

/** Commands carry everything that varies (ids, the time) so decide stays pure. */
export type UserCommand =
  | {
      type: 'SignUp';
      data: {
        userId: string;
        tenantId: string;
        email: string;
        displayName: string;
        method: 'password' | 'oidc';
        invitationId: string | null;
        roles: readonly Role[];
        /** Present for method oidc: the identity is linked in the same append. */
        externalIdentity: ExternalIdentityClaims | null;
      };
    }
  | { type: 'RecordLogin'; data: { method: 'password' | 'oidc'; sessionId: string; provider: string | null } }
  | { type: 'RecordLoginFailure'; data: { reason: 'invalid_password' | 'no_password_set' } }
  | { type: 'ChangePassword'; data: { keptSessionId: string | null } }
  | { type: 'LinkExternalIdentity'; data: ExternalIdentityClaims }
  | { type: 'GrantRole'; data: { role: Role } }
  | { type: 'RevokeRole'; data: { role: Role } };

export type UserCommandType = UserCommand['type'];
