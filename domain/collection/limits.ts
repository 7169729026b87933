import { z } from 'zod';

/** Documented limits (README, issue 10): refused with 422 and the limit in the details. */
export const COLLECTION_NAME_MAX_CHARS = 100;
export const COLLECTION_MAX_POSTS = 1_000;
export const COLLECTION_MAX_MEMBERS = 100;

/**
 * Spaces around a name are not part of it; what remains is 1 to 100
 * characters (code points, as a reader counts them, like post titles).
 */
export const collectionNameSchema = z
  .string()
  .trim()
  .min(1, { error: 'must not be empty' })
  .refine((name) => [...name].length <= COLLECTION_NAME_MAX_CHARS, { error: `must be at most ${COLLECTION_NAME_MAX_CHARS} characters` });
