import { z } from 'zod';

/**
 * Emails are compared in one canonical form: trimmed and lower-cased. The
 * local part is case-sensitive by RFC 5321, but no mail provider in use treats
 * it so, and two accounts differing only in case are a support problem.
 */
export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

export const emailSchema = z.string().trim().max(254).pipe(z.email()).transform(normaliseEmail);
