import { z } from 'zod';

/** `admin` and `member` apply within the user's tenant; `operator` is installation-wide. */
export const roleSchema = z.enum(['admin', 'member', 'operator']);
export type Role = z.infer<typeof roleSchema>;

export const tenantRoleSchema = z.enum(['admin', 'member']);
export type TenantRole = z.infer<typeof tenantRoleSchema>;
