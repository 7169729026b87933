import { z } from 'zod';
import { eventSchema } from '../shared/events.js';
import { tenantRoleSchema } from '../user/roles.js';
import { apiKeyScopeSchema } from './api-key-scopes.js';

export const tenantCreatedSchema = eventSchema(
  'TenantCreated',
  z.object({ tenantId: z.string().min(1), name: z.string(), createdBy: z.string().min(1) }),
);

/**
 * An admin invites an email into the tenant. `tokenHash` is the SHA-256 of a
 * 256-bit random token that is shown once to the admin: a verifier, not a
 * secret (it cannot be turned back into the token), which lets acceptance be
 * decided from the stream alone. Audit output may still leave it out.
 */
export const tenantInvitationIssuedSchema = eventSchema(
  'TenantInvitationIssued',
  z.object({
    invitationId: z.string().min(1),
    email: z.string().min(1),
    role: tenantRoleSchema,
    invitedBy: z.string().min(1),
    expiresAt: z.iso.datetime({ offset: true }),
    tokenHash: z.string().min(1),
  }),
);

export const tenantInvitationAcceptedSchema = eventSchema(
  'TenantInvitationAccepted',
  z.object({ invitationId: z.string().min(1), userId: z.string().min(1) }),
);

/** A pending invitation withdrawn: its token no longer admits anyone. */
export const tenantInvitationRevokedSchema = eventSchema(
  'TenantInvitationRevoked',
  z.object({ invitationId: z.string().min(1), revokedBy: z.string().min(1) }),
);

/**
 * The tenant's roster of admins, kept on the tenant stream so that "never
 * without an admin" is one stream's decision. The tenant's creator is its
 * first admin (TenantCreated); these record the admins who join and leave
 * later. The user's own stream keeps the role itself (UserRoleGranted).
 */
export const tenantAdminAddedSchema = eventSchema('TenantAdminAdded', z.object({ userId: z.string().min(1) }));

export const tenantAdminRemovedSchema = eventSchema(
  'TenantAdminRemoved',
  z.object({ userId: z.string().min(1), reason: z.enum(['role_revoked', 'user_disabled']) }),
);

/**
 * The key itself is never in an event; its hash lives in the api key table (auth/api-keys).
 * Version 2 added `scopes` (version 1 reads as every scope: domain/tenant/upcasters.ts).
 */
export const apiKeyIssuedSchema = eventSchema(
  'ApiKeyIssued',
  z.object({
    keyId: z.string().min(1),
    name: z.string().min(1),
    /** The first characters of the key, enough to recognise it in a list. */
    displayPrefix: z.string().min(1),
    rateLimitPerMinute: z.number().int().positive(),
    issuedBy: z.string().min(1),
    scopes: z.array(apiKeyScopeSchema).min(1),
  }),
);

export const apiKeyRevokedSchema = eventSchema(
  'ApiKeyRevoked',
  z.object({ keyId: z.string().min(1), revokedBy: z.string().min(1) }),
);

export const tenantEventSchema = z.discriminatedUnion('type', [
  tenantCreatedSchema,
  tenantInvitationIssuedSchema,
  tenantInvitationAcceptedSchema,
  tenantInvitationRevokedSchema,
  apiKeyIssuedSchema,
  apiKeyRevokedSchema,
  tenantAdminAddedSchema,
  tenantAdminRemovedSchema,
]);

export type TenantCreated = z.infer<typeof tenantCreatedSchema>;
export type TenantInvitationIssued = z.infer<typeof tenantInvitationIssuedSchema>;
export type TenantInvitationAccepted = z.infer<typeof tenantInvitationAcceptedSchema>;
export type TenantInvitationRevoked = z.infer<typeof tenantInvitationRevokedSchema>;
export type ApiKeyIssued = z.infer<typeof apiKeyIssuedSchema>;
export type ApiKeyRevoked = z.infer<typeof apiKeyRevokedSchema>;
export type TenantAdminAdded = z.infer<typeof tenantAdminAddedSchema>;
export type TenantAdminRemoved = z.infer<typeof tenantAdminRemovedSchema>;
export type TenantEvent = z.infer<typeof tenantEventSchema>;
