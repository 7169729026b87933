import type { Request } from 'express';
import { ValidationError } from '../errors.js';

/**
 * The JSON of a body read raw (defineRoute's rawBody), whatever its
 * Content-Type claimed: RudderStack sends gzip JSON as a form.
 */
export function rawJson(req: Request): unknown {
  const body: unknown = req.body;
  if (!Buffer.isBuffer(body) || body.length === 0) throw new ValidationError('the request has no body', { status: 400, code: 'malformed_body' });
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    throw new ValidationError('the request body is not valid JSON', { status: 400, code: 'malformed_json' });
  }
}
