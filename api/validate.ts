import type { Request } from 'express';
import type { z } from 'zod';
import { ValidationError } from './errors.js';
import { zodDetails } from './error-mapping.js';

/**
 * A JSON body against its schema: anything but a JSON object is malformed
 * (400); an object the schema refuses, unknown fields included, is invalid
 * content (422, with a detail per problem).
 */
export function parseBody<T extends z.ZodType>(schema: T, req: Request): z.output<T> {
  const body: unknown = req.body;
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new ValidationError('the body must be a JSON object (Content-Type: application/json)', { status: 400, code: 'malformed_body' });
  }
  return schema.parse(body);
}

/** Path parameters and query strings are part of the address: a bad one is a malformed request (400). */
export function parseRequestPart<T extends z.ZodType>(schema: T, value: unknown, what: 'path' | 'query'): z.output<T> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  throw new ValidationError(`the request ${what} is invalid`, { status: 400, code: `invalid_${what}`, details: zodDetails(parsed.error) });
}
