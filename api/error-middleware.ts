import type { ErrorRequestHandler, RequestHandler } from 'express';
import { NotFound, type ErrorDetail } from './errors.js';
import { toHttpError } from './error-mapping.js';

export interface ErrorBody {
  error: { code: string; message: string; details?: readonly ErrorDetail[] };
}

/** The last route: whatever nothing else answered. */
export const unknownRoute: RequestHandler = (req, _res, next) => {
  next(new NotFound(`no route for ${req.method} ${req.path}`, { code: 'route_not_found' }));
};

/** The one place that formats errors; everything else throws. */
export const errorMiddleware: ErrorRequestHandler = (error: unknown, _req, res, next) => {
  if (res.headersSent) {
    // Too late for a JSON answer: express ends the connection.
    next(error);
    return;
  }
  const httpError = toHttpError(error);
  // The request log records a 5xx once, with this as its cause (api/request-logging.ts).
  if (!httpError || httpError.status >= 500) res.err = error instanceof Error ? error : new Error(String(error));
  if (!httpError) {
    res.status(500).json({ error: { code: 'internal_error', message: 'an unexpected error occurred' } } satisfies ErrorBody);
    return;
  }
  res.set(httpError.headers());
  const body: ErrorBody = { error: { code: httpError.code, message: httpError.message } };
  if (httpError.details) body.error.details = cappedDetails(httpError.details);
  res.status(httpError.status).json(body);
};

/** Enough to fix a request; a body of 40,000 unknown keys must not make an answer of megabytes. */
const MAX_DETAILS = 20;
const MAX_DETAIL_TEXT = 200;

function cappedDetails(details: readonly ErrorDetail[]): ErrorDetail[] {
  const shown = details.slice(0, MAX_DETAILS).map((detail) => Object.fromEntries(Object.entries(detail).map(([key, value]) => [key, capped(value)])));
  if (details.length > MAX_DETAILS) shown.push({ omitted: details.length - MAX_DETAILS, message: `${details.length - MAX_DETAILS} more problems not shown` });
  return shown;
}

function capped(value: unknown): unknown {
  if (typeof value === 'string') return value.length > MAX_DETAIL_TEXT ? `${value.slice(0, MAX_DETAIL_TEXT)}… (${value.length} characters)` : value;
  if (Array.isArray(value)) return value.length > MAX_DETAILS ? [...value.slice(0, MAX_DETAILS).map(capped), `… ${value.length - MAX_DETAILS} more`] : value.map(capped);
  return value;
}
