import { z } from 'zod';
import { decodeCursor } from '../projections/identity/directory-queries.js';

const DEFAULT_LIMIT = 50;
const MAX_LIMIT = 100;

/**
 * `?limit=&cursor=` of a cursor-paginated list: `limit` 1 to 100 (50 unless
 * told), `cursor` the `nextCursor` of the previous page, opaque. A cursor
 * that is not one of ours is a malformed request (400), never an empty page.
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
    .max(100)
    .transform((cursor, context) => {
      const after = decodeCursor(cursor);
      if (after === undefined) context.addIssue({ code: 'custom', message: 'is not a cursor this API gave out' });
      return after ?? '';
    })
    .optional()
    .meta({ description: 'The nextCursor of the previous page', type: 'string' }),
});

export function pageRequest(query: z.output<typeof pageQuerySchema>): { limit: number; after?: string } {
  return { limit: query.limit ?? DEFAULT_LIMIT, ...(query.cursor === undefined ? {} : { after: query.cursor }) };
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
