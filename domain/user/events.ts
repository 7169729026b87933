import { z } from 'zod';
import { eventSchema } from '../shared/events.js';
import { roleSchema } from './roles.js';

/**
 * No secret is ever part of a user event: password hashes live in the
 * command side's credential table (auth/passwords/credential-store.ts), so
 * the audit trail and the live feed can show these payloads as they are.
 */
export const userSignedUpSchema = eventSchema(
  'UserSignedUp',
  z.object({
    userId: z.string().min(1),
    tenantId: z.string().min(1),
    email: z.string().min(1),
    displayName: z.string(),
    method: z.enum(['password', 'oidc']),
    /** Set when the user joined an existing tenant through an invitation. */
    invitationId: z.string().min(1).nullable(),
  }),
);

export const userLoggedInSchema = eventSchema(
  'UserLoggedIn',
  z.object({
    userId: z.string().min(1),
    method: z.enum(['password', 'oidc']),
    sessionId: z.string().min(1),
    /** The OIDC provider's configured name, for method oidc. */
    provider: z.string().min(1).nullable(),
  }),
);

export const userLoginFailedSchema = eventSchema(
  'UserLoginFailed',
  z.object({
    userId: z.string().min(1),
    reason: z.enum(['invalid_password', 'no_password_set']),
  }),
);

export const userPasswordChangedSchema = eventSchema(
  'UserPasswordChanged',
  z.object({
    userId: z.string().min(1),
    /** The session that made the change survives; every other one ends. */
    keptSessionId: z.string().min(1).nullable(),
  }),
);

export const externalIdentityLinkedSchema = eventSchema(
  'ExternalIdentityLinked',
  z.object({
    userId: z.string().min(1),
    provider: z.string().min(1),
    issuer: z.string().min(1),
    subject: z.string().min(1),
    email: z.string().nullable(),
    emailVerified: z.boolean(),
  }),
);

/**
 * The user proved they receive mail at the address: `link` by the mailed
 * verification link, `provider` by an OpenID Provider vouching for it,
 * `password_reset` by completing a mailed reset link. Only this event makes
 * an email verified; an ExternalIdentityLinked never does by itself.
 */
export const userEmailVerifiedSchema = eventSchema(
  'UserEmailVerified',
  z.object({
    userId: z.string().min(1),
    email: z.string().min(1),
    method: z.enum(['link', 'provider', 'password_reset']),
  }),
);

/** A new password set through a mailed reset link; every session of the user ended. */
export const userPasswordResetSchema = eventSchema('UserPasswordReset', z.object({ userId: z.string().min(1) }));

/**
 * Whoever receives the account's mail took over an account whose email was
 * never verified, without knowing its password (a verified provider login,
 * or a mailed password reset). Whatever was issued before ended: the
 * password, every session, the API keys and pending invitations the account
 * issued. Someone who signed up with another's address keeps nothing.
 */
export const userAccountClaimedSchema = eventSchema(
  'UserAccountClaimed',
  z.object({ userId: z.string().min(1), method: z.enum(['provider', 'password_reset']) }),
);

export const userRoleGrantedSchema = eventSchema(
  'UserRoleGranted',
  z.object({ userId: z.string().min(1), role: roleSchema }),
);

export const userRoleRevokedSchema = eventSchema(
  'UserRoleRevoked',
  z.object({ userId: z.string().min(1), role: roleSchema }),
);

/** An admin of the user's tenant stops the account: no login, no session, no API key of theirs works. */
export const userDisabledSchema = eventSchema('UserDisabled', z.object({ userId: z.string().min(1) }));

export const userEnabledSchema = eventSchema('UserEnabled', z.object({ userId: z.string().min(1) }));

export const userEventSchema = z.discriminatedUnion('type', [
  userSignedUpSchema,
  userLoggedInSchema,
  userLoginFailedSchema,
  userPasswordChangedSchema,
  externalIdentityLinkedSchema,
  userEmailVerifiedSchema,
  userPasswordResetSchema,
  userAccountClaimedSchema,
  userRoleGrantedSchema,
  userRoleRevokedSchema,
  userDisabledSchema,
  userEnabledSchema,
]);

export type UserSignedUp = z.infer<typeof userSignedUpSchema>;
export type UserLoggedIn = z.infer<typeof userLoggedInSchema>;
export type UserLoginFailed = z.infer<typeof userLoginFailedSchema>;
export type UserPasswordChanged = z.infer<typeof userPasswordChangedSchema>;
export type ExternalIdentityLinked = z.infer<typeof externalIdentityLinkedSchema>;
export type UserEmailVerified = z.infer<typeof userEmailVerifiedSchema>;
export type UserPasswordReset = z.infer<typeof userPasswordResetSchema>;
export type UserAccountClaimed = z.infer<typeof userAccountClaimedSchema>;
export type UserRoleGranted = z.infer<typeof userRoleGrantedSchema>;
export type UserRoleRevoked = z.infer<typeof userRoleRevokedSchema>;
export type UserDisabled = z.infer<typeof userDisabledSchema>;
export type UserEnabled = z.infer<typeof userEnabledSchema>;
export type UserEvent = z.infer<typeof userEventSchema>;
export type UserEventType = UserEvent['type'];

export const userEventTypes: readonly UserEventType[] = userEventSchema.options.map((option) => option.shape.type.value);
