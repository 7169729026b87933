import type { Request } from 'express';
import type { z } from 'zod';
import { notAnObject, UnsupportedMediaType, ValidationError } from './errors.js';
import { zodDetails } from './error-mapping.js';

/**
 * A JSON body against its schema: a body of another media type is 415,
 * anything but a JSON object is malformed (400); an object the schema refuses, unknown fields included, is invalid
 * content (422, with a detail per problem).
 */
export function parseBody<T extends z.ZodType>(schema: T, req: Request): z.output<T> {
  // false: a body of another type, which express.json left unread; null: no body at all.
  if (req.is('application/json') === false) throw new UnsupportedMediaType();
  const body: unknown = req.body;
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw notAnObject();
  return schema.parse(body);
}

/** Path parameters, query strings and headers frame the request: a bad one is a malformed request (400). */
export function parseRequestPart<T extends z.ZodType>(schema: T, value: unknown, what: 'path' | 'query' | 'headers'): z.output<T> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  throw new ValidationError(`the request ${what} is invalid`, { status: 400, code: `invalid_${what}`, details: zodDetails(parsed.error) });
}
