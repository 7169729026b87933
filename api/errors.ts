/**
 * The errors a route may throw. The one error middleware (error-middleware.ts)
 * turns each into `{ error: { code, message, details? } }` with its status.
 */

export type ErrorDetail = Record<string, unknown>;

export interface HttpErrorOptions {
  /** snake_case; each class has a sensible default. */
  code?: string;
  details?: readonly ErrorDetail[];
  cause?: unknown;
}

export abstract class HttpError extends Error {
  abstract readonly status: number;
  readonly code: string;
  readonly details: readonly ErrorDetail[] | undefined;

  protected constructor(defaultCode: string, message: string, options: HttpErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = options.code ?? defaultCode;
    this.details = options.details;
  }

  /** Extra response headers, e.g. Retry-After. */
  headers(): Record<string, string> {
    return {};
  }
}

/** 400 for a malformed request (query, path, headers), 422 for valid JSON with invalid content. */
export class ValidationError extends HttpError {
  readonly status: 400 | 422;
  constructor(message: string, options: HttpErrorOptions & { status?: 400 | 422 } = {}) {
    super(options.status === 400 ? 'bad_request' : 'validation_failed', message, options);
    this.status = options.status ?? 422;
  }
}

export class Unauthorized extends HttpError {
  readonly status = 401;
  constructor(message = 'authentication required', options?: HttpErrorOptions) {
    super('unauthorized', message, options);
  }
}

export class Forbidden extends HttpError {
  readonly status = 403;
  constructor(message = 'not allowed', options?: HttpErrorOptions) {
    super('forbidden', message, options);
  }
}

export class NotFound extends HttpError {
  readonly status = 404;
  constructor(message = 'not found', options?: HttpErrorOptions) {
    super('not_found', message, options);
  }
}

export class Conflict extends HttpError {
  readonly status = 409;
  constructor(message: string, options?: HttpErrorOptions) {
    super('conflict', message, options);
  }
}

export class PreconditionFailed extends HttpError {
  readonly status = 412;
  constructor(message = 'the resource has changed since it was read', options?: HttpErrorOptions) {
    super('precondition_failed', message, options);
  }
}

/** The resource existed and was deleted: said only to whoever may still read its history (time travel). */
export class Gone extends HttpError {
  readonly status = 410;
  constructor(message = 'the resource was deleted', options?: HttpErrorOptions) {
    super('gone', message, options);
  }
}

export class PayloadTooLarge extends HttpError {
  readonly status = 413;
  constructor(message = 'request body too large', options?: HttpErrorOptions) {
    super('payload_too_large', message, options);
  }
}

export class UnsupportedMediaType extends HttpError {
  readonly status = 415;
  constructor(message = 'the request body must be application/json', options?: HttpErrorOptions) {
    super('unsupported_media_type', message, options);
  }
}

/** A body that is JSON, but not the object every route takes. */
export function notAnObject(): ValidationError {
  return new ValidationError('the body must be a JSON object', { status: 400, code: 'malformed_body' });
}

export class TooManyRequests extends HttpError {
  readonly status = 429;
  /** RateLimit-* fields: which limit, and where the client stands. */
  private readonly extraHeaders: Record<string, string>;
  constructor(
    readonly retryAfterSeconds: number,
    message = 'too many requests',
    options?: HttpErrorOptions & { headers?: Record<string, string> },
  ) {
    super('too_many_requests', message, options);
    this.extraHeaders = options?.headers ?? {};
  }
  override headers(): Record<string, string> {
    return { ...this.extraHeaders, 'Retry-After': String(Math.max(1, Math.ceil(this.retryAfterSeconds))) };
  }
}

export class Unavailable extends HttpError {
  readonly status = 503;
  constructor(message = 'a dependency is unavailable', options?: HttpErrorOptions) {
    super('unavailable', message, options);
  }
}

export class GatewayTimeout extends HttpError {
  readonly status = 504;
  constructor(message = 'timed out waiting for a dependency', options?: HttpErrorOptions) {
    super('gateway_timeout', message, options);
  }
}
