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
  /** Into an account whose email is verified; an identity whose email (normalised) the provider verified. */
  | { type: 'LinkExternalIdentity'; data: ExternalIdentityClaims }
  /**
   * `operatorListed`: the email is in OPERATOR_EMAILS, so proving it grants
   * operator. `email` is the (normalised) address that was proven.
   */
  | { type: 'VerifyEmail'; data: { email: string; method: 'link' | 'provider'; operatorListed: boolean } }
  /** A verified provider identity takes over an account whose email was never verified. */
  | { type: 'ClaimWithExternalIdentity'; data: { identity: ExternalIdentityClaims; operatorListed: boolean } }
  /** The new password is already stored (never in an event); `email` is where the reset link was sent. */
  | { type: 'ResetPassword'; data: { email: string; operatorListed: boolean } }
  | { type: 'GrantRole'; data: { role: Role } }
  | { type: 'Disable'; data: Record<string, never> }
  | { type: 'Enable'; data: Record<string, never> }
  /** Operator from configuration (the installation's first account, a verified listed address): only if never held before. */
  | { type: 'BootstrapOperator'; data: Record<string, never> }
  | { type: 'RevokeRole'; data: { role: Role } };

export type UserCommandType = UserCommand['type'];
