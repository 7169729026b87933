import type { Request, Response } from 'express';
import { z } from 'zod';
import { ValidationError } from './errors.js';

const REVISION_TAG = /^"(-1|\d{1,20})"$/;

/**
 * The revision in `If-Match: "<revision>"` (the ETag a GET or a command
 * answered), for the command handler to compare; `*` and no header mean no
 * precondition. Any other shape is a malformed request, not a mismatch.
 */
export function ifMatchRevision(req: Request): bigint | undefined {
  return parseIfMatch(req.get('if-match'));
}

/** The same from the header's value, e.g. the `if-match` a route's headers schema parsed. */
export function parseIfMatch(value: string | undefined): bigint | undefined {
  const header = value?.trim();
  if (header === undefined || header === '' || header === '*') return undefined;
  const match = REVISION_TAG.exec(header);
  if (!match?.[1]) throw new ValidationError('If-Match must be a revision in quotes, e.g. "3"', { status: 400, code: 'invalid_if_match' });
  return BigInt(match[1]);
}

export function setRevisionETag(res: Response, revision: bigint): void {
  res.set(revisionETag(revision));
}

/** `ETag: "<revision>"`, for an answer's headers (defineRoute handlers return them). */
export function revisionETag(revision: bigint): { ETag: string } {
  return { ETag: `"${revision}"` };
}

/** For a route's headers schema (and so OpenAPI): the precondition PUT, PATCH and DELETE honour. */
export const ifMatchHeaderSchema = z.object({
  'if-match': z
    .string()
    .optional()
    .meta({ description: 'The ETag last read ("<revision>"): 412 precondition_failed if the resource changed since; without it a concurrent change is retried on fresh state' }),
});

/** For OpenAPI: the ETag header of an answer about one resource. */
export const etagResponseHeader = { ETag: { description: 'The resource\'s revision, in quotes: send it back as If-Match', schema: { type: 'string' as const } } };
