import { z } from 'zod';
import { roleSchema } from './roles.js';
import type { UserState } from './state.js';

/**
 * A user's folded state as stored in a snapshot. Typed against UserState, so
 * a field added to the state fails to compile until it is added here too;
 * bump USER_SNAPSHOT_VERSION whenever the state or evolve changes.
 */
export const USER_SNAPSHOT_VERSION = 4;

export const userSnapshotSchema: z.ZodType<UserState> = z.discriminatedUnion('status', [
  z.object({ status: z.literal('Empty') }),
  z.object({
    status: z.literal('Active'),
    userId: z.string(),
    tenantId: z.string(),
    email: z.string(),
    emailVerified: z.boolean(),
    displayName: z.string(),
    signUpMethod: z.enum(['password', 'oidc']),
    roles: z.array(roleSchema),
    hasHeldOperator: z.boolean(),
    disabled: z.boolean(),
    identities: z.array(z.object({ provider: z.string(), issuer: z.string(), subject: z.string() })),
    passwordChanges: z.number().int().nonnegative(),
  }),
]);
