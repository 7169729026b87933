import { z } from 'zod';
import { API_KEY_SCOPES, apiKeyScopeSchema } from '../../domain/tenant/api-key-scopes.js';
import { roleSchema, tenantRoleSchema } from '../../domain/user/roles.js';
import { storableText } from '../text-schemas.js';

/**
 * Request bodies and parameters of the identity routes. Every object is
 * strict (an unknown field is a 422, not silently dropped); lengths are
 * bounded so no field can make the server hash or store megabytes. The
 * password policy itself (length, not the email) is the service's, which
 * answers 422 `weak_password`.
 */
const email = z.email({ error: 'must be an email address' }).max(254).meta({ example: 'ada@example.com' });
const password = storableText(z.string().min(1).max(1024)).meta({ format: 'password' });
const opaqueToken = storableText(z.string().min(1).max(1024));

export const signupRequestSchema = z
  .object({
    email,
    password,
    displayName: storableText(z.string().trim().max(100)).optional(),
    invitationToken: opaqueToken.optional().meta({ description: "From an admin's invitation: join that tenant instead of creating one" }),
  })
  .strict()
  .meta({ id: 'SignupRequest' });

export const loginRequestSchema = z.object({ email, password }).strict().meta({ id: 'LoginRequest' });

export const refreshRequestSchema = z.object({ refreshToken: opaqueToken }).strict().meta({ id: 'RefreshRequest' });

export const changePasswordRequestSchema = z
  .object({ currentPassword: password, newPassword: password })
  .strict()
  .meta({ id: 'ChangePasswordRequest' });

export const verifyEmailRequestSchema = z
  .object({ token: opaqueToken.meta({ description: 'From the link in the verification mail (its #token= fragment)' }) })
  .strict()
  .meta({ id: 'VerifyEmailRequest' });

export const passwordResetRequestSchema = z.object({ email }).strict().meta({ id: 'PasswordResetRequest' });

export const passwordResetConfirmSchema = z
  .object({ token: opaqueToken.meta({ description: 'From the link in the reset mail (its #token= fragment)' }), newPassword: password })
  .strict()
  .meta({ id: 'PasswordResetConfirmRequest' });

export const invitationRequestSchema = z
  .object({ email, role: tenantRoleSchema.optional().meta({ description: 'member unless told' }) })
  .strict()
  .meta({ id: 'InvitationRequest' });

export const roleRequestSchema = z.object({ role: roleSchema }).strict().meta({ id: 'RoleRequest' });

export const apiKeyRequestSchema = z
  .object({
    name: storableText(z.string().trim().min(1).max(100)),
    rateLimitPerMinute: z.number().int().min(1).max(1_000_000).optional().meta({ description: 'API_KEY_DEFAULT_RATE_LIMIT_PER_MINUTE unless told' }),
    scopes: z
      .array(apiKeyScopeSchema)
      .min(1)
      .max(API_KEY_SCOPES.length * 2)
      .optional()
      .meta({
        description:
          '`ingest`: send analytics events and nothing else (a write key safe to ship in a web page); `read`: the analytics queries; ' +
          '`admin`: everything an API key can do, the other two included. Every scope unless told, as keys had before scopes existed.',
      }),
  })
  .strict()
  .meta({ id: 'ApiKeyRequest' });

const id = storableText(z.string().min(1).max(100));
export const sessionParams = z.object({ id });
export const userParams = z.object({ id });
export const userRoleParams = z.object({ id, role: roleSchema });
export const apiKeyParams = z.object({ id });
export const invitationParams = z.object({ id });
export const oidcProviderParams = z.object({ provider: z.string().regex(/^[a-z][a-z0-9_]{0,31}$/) });

/** What the provider sends back; any other parameter (error, iss...) is openid-client's to judge. */
export const oidcCallbackQuery = z.object({ code: storableText(z.string().min(1).max(4096)).optional(), state: opaqueToken.optional() });

/**
 * Only a path on this site: `/x`, never `//evil.example` or `/\evil.example`
 * (both leave the site in browsers), nor anything with a scheme.
 */
export const oidcLoginQuery = z.object({
  returnTo: z
    .string()
    .max(2048)
    .regex(/^\/(?![/\\])[^\s\\]*$/, 'must be a path on this site, starting with a single /')
    .optional(),
});
