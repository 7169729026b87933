import { z } from 'zod';

/**
 * Text the store and the logs can hold as it was sent: no NUL (PostgreSQL
 * refuses it in text and jsonb) and well-formed UTF-16 (a lone surrogate has
 * no UTF-8 form). Checked at the edge, so a bad field is a 4xx naming it
 * before any hashing or appending.
 */
export function storableText(schema: z.ZodString = z.string()) {
  return schema
    .refine((value) => !value.includes('\u0000'), { error: 'must not contain a NUL character' })
    .refine((value) => value.isWellFormed(), { error: 'must be well-formed unicode (no lone surrogates)' });
}
