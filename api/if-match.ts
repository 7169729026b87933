import type { Request, Response } from 'express';
import { ValidationError } from './errors.js';

const REVISION_TAG = /^"(-1|\d{1,20})"$/;

/**
 * The revision in `If-Match: "<revision>"` (the ETag a GET or a command
 * answered), for the command handler to compare; `*` and no header mean no
 * precondition. Any other shape is a malformed request, not a mismatch.
 */
export function ifMatchRevision(req: Request): bigint | undefined {
  const header = req.get('if-match')?.trim();
  if (header === undefined || header === '' || header === '*') return undefined;
  const match = REVISION_TAG.exec(header);
  if (!match?.[1]) throw new ValidationError('If-Match must be a revision in quotes, e.g. "3"', { status: 400, code: 'invalid_if_match' });
  return BigInt(match[1]);
}

export function setRevisionETag(res: Response, revision: bigint): void {
  res.set('ETag', `"${revision}"`);
}
