import { z } from 'zod';

/** Content is `private` (default: its tenant's people who were given it) or `public` (anyone, guests too). */
export const visibilitySchema = z.enum(['private', 'public']);
export type Visibility = z.infer<typeof visibilitySchema>;

/**
 * Who acts on content, as the deciders and read policies need it: a guest
 * (no token), a user of a tenant (`admin` when they hold the tenant's admin
 * role), or the system itself (a background process, which may do all).
 */
export type Caller =
  | { type: 'guest' }
  | { type: 'user'; userId: string; tenantId: string; admin: boolean }
  | { type: 'system' };

export type UserCaller = Extract<Caller, { type: 'user' }>;

export const GUEST: Caller = { type: 'guest' };
export const SYSTEM_CALLER: Caller = { type: 'system' };

/** One of the tenant's people (or the system): who may see the tenant's own business, such as who its members are and who did what. */
export function isOfTenant(caller: Caller, tenantId: string): boolean {
  return caller.type === 'system' || (caller.type === 'user' && caller.tenantId === tenantId);
}
