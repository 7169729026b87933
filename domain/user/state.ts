import type { Role } from './roles.js';

export interface ExternalIdentity {
  provider: string;
  issuer: string;
  subject: string;
}

export type UserState =
  | { status: 'Empty' }
  | {
      status: 'Active';
      userId: string;
      tenantId: string;
      email: string;
      /** Set by UserEmailVerified only. */
      emailVerified: boolean;
      displayName: string;
      signUpMethod: 'password' | 'oidc';
      roles: readonly Role[];
      /**
       * The account has held operator at some time. Configuration (the first
       * account, OPERATOR_EMAILS) grants operator only to an account that never
       * held it, so a revocation lasts; an operator may still grant it again.
       */
      hasHeldOperator: boolean;
      /** Disabled by an admin: keeps its roles, but nothing it holds or logs in with works until enabled. */
      disabled: boolean;
      identities: readonly ExternalIdentity[];
      /** Counts UserPasswordChanged and UserPasswordReset, so callers can tell a fresh credential from a stale one. */
      passwordChanges: number;
    };

export type ActiveUser = Extract<UserState, { status: 'Active' }>;
