import { ZodError } from 'zod';
import {
  DuplicateEventIdError,
  EventStoreUnavailableError,
  EventTooLargeError,
  InvalidAppendError,
  InvalidReadError,
  WrongExpectedRevisionError,
} from '../infra/event-store/errors.js';
import { InvalidPositionError } from '../infra/event-store/event-store.js';
import { AuthenticationError, RateLimitedError } from '../auth/errors.js';
import { ConflictError, DomainError, ForbiddenError, NotFoundError, PreconditionFailedError } from '../domain/shared/errors.js';
import { InvalidCursorError, ProjectionNotFailedError, ReadModelTimeoutError, ReadModelUnavailableError, ReplayJobNotFoundError, UnknownProjectionError } from '../projections/index.js';
import {
  Conflict,
  Forbidden,
  GatewayTimeout,
  HttpError,
  NotFound,
  PayloadTooLarge,
  PreconditionFailed,
  TooManyRequests,
  UnsupportedMediaType,
  notAnObject,
  Unauthorized,
  Unavailable,
  ValidationError,
  type ErrorDetail,
} from './errors.js';
import { rateLimitHeaderFields } from './rate-limit-headers.js';

/** What body-parser (behind express.json) attaches to the errors it raises. */
interface BodyParserError {
  type: string;
  status: number;
  expose: boolean;
  /** The text that failed to parse, on `entity.parse.failed`. */
  body?: unknown;
}

function isJson(text: unknown): boolean {
  if (typeof text !== 'string') return false;
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/**
 * Translates the errors other layers throw into HTTP errors; `undefined`
 * means unexpected, which the middleware answers with a generic 500.
 */
export function toHttpError(error: unknown): HttpError | undefined {
  if (error instanceof HttpError) return error;
  if (error instanceof ZodError) return new ValidationError('the request is invalid', { details: zodDetails(error) });
  if (error instanceof WrongExpectedRevisionError) {
    return new Conflict(error.message, {
      code: 'wrong_expected_revision',
      details: [{ stream: error.stream, expectedRevision: String(error.expected), actualRevision: String(error.actual) }],
    });
  }
  if (error instanceof DuplicateEventIdError) {
    return new Conflict(error.message, { code: 'duplicate_event_id', details: [{ stream: error.stream, eventIds: [...error.eventIds] }] });
  }
  if (error instanceof EventTooLargeError) {
    return new PayloadTooLarge(error.message, { code: 'event_too_large', details: [{ field: error.field, bytes: error.bytes, limitBytes: error.limitBytes }] });
  }
  if (error instanceof InvalidAppendError) return new ValidationError(error.message, { code: 'invalid_append', details: [{ field: error.field }] });
  if (error instanceof InvalidReadError) return new ValidationError(error.message, { status: 400, code: 'invalid_read', details: [{ field: error.field }] });
  if (error instanceof InvalidPositionError) return new ValidationError(error.message, { status: 400, code: 'invalid_position' });
  if (error instanceof EventStoreUnavailableError) {
    return new Unavailable('the event store is unavailable', { code: 'event_store_unavailable' });
  }
  if (error instanceof DomainError) return fromDomain(error);
  const projectionError = fromProjections(error);
  if (projectionError) return projectionError;
  if (isBodyParserError(error)) return fromBodyParser(error);
  if (isClientError(error)) return fromClientError(error);
  return undefined;
}

/** The domain's classes keep their own codes; the class decides the status. */
function fromDomain(error: DomainError): HttpError {
  const options = { code: error.code, ...(error.details ? { details: error.details } : {}) };
  if (error instanceof AuthenticationError) return new Unauthorized(error.message, options);
  if (error instanceof RateLimitedError) {
    return new TooManyRequests(error.retryAfterSeconds, error.message, { ...options, headers: rateLimitHeaderFields(error.limit) });
  }
  if (error instanceof NotFoundError) return new NotFound(error.message, options);
  if (error instanceof ForbiddenError) return new Forbidden(error.message, options);
  if (error instanceof ConflictError) return new Conflict(error.message, options);
  if (error instanceof PreconditionFailedError) return new PreconditionFailed(error.message, options);
  return new ValidationError(error.message, options);
}

function fromProjections(error: unknown): HttpError | undefined {
  if (error instanceof ReadModelTimeoutError) return new GatewayTimeout(error.message, { code: 'read_model_timeout' });
  if (error instanceof ReadModelUnavailableError) return new Unavailable(error.message, { code: 'read_model_unavailable' });
  if (error instanceof UnknownProjectionError) return new NotFound(error.message, { code: 'unknown_projection' });
  if (error instanceof ReplayJobNotFoundError) return new NotFound(error.message, { code: 'replay_job_not_found' });
  if (error instanceof ProjectionNotFailedError) return new Conflict(error.message, { code: 'projection_not_failed' });
  // The cursor is part of the query string: as if the query schema had refused it.
  if (error instanceof InvalidCursorError) return new ValidationError('the request query is invalid', { status: 400, code: 'invalid_query', details: [{ path: 'cursor', message: error.message }] });
  return undefined;
}

export function zodDetails(error: ZodError): ErrorDetail[] {
  return error.issues.map((issue) => ({
    path: issue.path.map(String).join('.'),
    code: issue.code,
    message: issue.message,
  }));
}

function isBodyParserError(error: unknown): error is BodyParserError {
  return (
    error instanceof Error &&
    'type' in error &&
    typeof error.type === 'string' &&
    'status' in error &&
    typeof error.status === 'number' &&
    'expose' in error
  );
}

function fromBodyParser(error: BodyParserError): HttpError | undefined {
  switch (error.type) {
    case 'entity.parse.failed':
      // express.json is strict: `null`, `3` or `"text"` are JSON, just not an object.
      if (isJson(error.body)) return notAnObject();
      return new ValidationError('the request body is not valid JSON', { status: 400, code: 'malformed_json' });
    case 'entity.too.large':
      return new PayloadTooLarge();
    case 'request.aborted':
      return new ValidationError('the request was aborted', { status: 400, code: 'request_aborted' });
    default:
      // Unsupported charset or encoding: the client's fault, said in body-parser's words.
      if (error.status === 415) return new UnsupportedMediaType(`the request body cannot be decoded (${error.type})`);
      if (error.status >= 400 && error.status < 500) {
        return new ValidationError(`the request body cannot be read (${error.type})`, { status: 400, code: snakeCase(error.type) });
      }
      return undefined;
  }
}

/** An error the router or body-parser marked as the client's (http-errors' `status`), without a body-parser `type`. */
function isClientError(error: unknown): error is Error & { status: number } {
  return error instanceof Error && 'status' in error && typeof error.status === 'number' && error.status >= 400 && error.status < 500;
}

function fromClientError(error: Error & { status: number }): HttpError {
  // The router's decodeURIComponent of a path parameter, e.g. `%E0%A4%A`.
  if (error instanceof URIError) return new ValidationError('the request path is not valid percent-encoding', { status: 400, code: 'invalid_path' });
  // zlib's errors (Z_DATA_ERROR, Z_BUF_ERROR, ERR_BROTLI...) for a body that does not match its Content-Encoding.
  if ('code' in error && typeof error.code === 'string') {
    return new ValidationError('the request body does not match its Content-Encoding', { status: 400, code: 'malformed_body_encoding' });
  }
  return new ValidationError('the request cannot be read', { status: 400 });
}


function snakeCase(text: string): string {
  return text.replace(/[^a-z0-9]+/gi, '_').toLowerCase();
}
