import { z } from 'zod';
import { looksLikeCursor, type PageRequest } from '../projections/keyset-page.js';

const DEFAULT_LIMIT = 20;
const MAX_LIMIT = 100;

/**
 * `?limit=&cursor=` of a cursor-paginated list (projections/keyset-page.ts):
 * `limit` 1 to 100 (20 unless told), `cursor` the `nextCursor` of the
 * previous page, opaque. A cursor that is not one of ours is a malformed
 * request (400 invalid_query), never an empty page: its shape is checked
 * here, and that it belongs to the list by keysetPage (InvalidCursorError).
 */
export const pageQuerySchema = z.object({
  limit: z
    .string()
    .regex(/^\d{1,3}$/, 'must be a whole number from 1 to 100')
    .transform(Number)
    .pipe(z.number().int().min(1).max(MAX_LIMIT))
    .optional()
    .meta({ description: `Items per page, 1 to ${MAX_LIMIT}; ${DEFAULT_LIMIT} unless told`, type: 'integer' }),
  cursor: z
    .string()
    .max(1000)
    .refine(looksLikeCursor, 'is not a cursor this API gave out')
    .optional()
    .meta({ description: 'The nextCursor of the previous page', type: 'string' }),
});

export function pageRequest(query: z.output<typeof pageQuerySchema>): PageRequest {
  return { limit: query.limit ?? DEFAULT_LIMIT, ...(query.cursor === undefined ? {} : { cursor: query.cursor }) };
}

/** The answer's shape, for OpenAPI. */
export function pageSchema<T extends z.ZodType>(item: T, id: string) {
  return z
    .object({
      items: z.array(item),
      nextCursor: z.string().nullable().meta({ description: 'Pass as cursor for the next page; null on the last page' }),
    })
    .meta({ id });
}
