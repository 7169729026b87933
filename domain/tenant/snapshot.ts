import { z } from 'zod';
import { tenantRoleSchema } from '../user/roles.js';
import type { TenantState } from './state.js';

/**
 * A tenant's folded state as stored in a snapshot. Typed against
 * TenantState, so a field added to the state fails to compile until it is
 * added here too; bump TENANT_SNAPSHOT_VERSION whenever the state or evolve
 * changes.
 */
export const TENANT_SNAPSHOT_VERSION = 1;

export const tenantSnapshotSchema: z.ZodType<TenantState> = z.discriminatedUnion('status', [
  z.object({ status: z.literal('Empty') }),
  z.object({
    status: z.literal('Active'),
    tenantId: z.string(),
    name: z.string(),
    invitations: z.record(
      z.string(),
      z.object({
        email: z.string(),
        role: tenantRoleSchema,
        invitedBy: z.string(),
        expiresAt: z.string(),
        tokenHash: z.string(),
        acceptedBy: z.string().nullable(),
        revoked: z.boolean(),
      }),
    ),
    apiKeys: z.record(z.string(), z.object({ name: z.string(), issuedBy: z.string(), revoked: z.boolean() })),
    admins: z.array(z.string()),
  }),
]);
