/**
 * The domain's error hierarchy. Each class has a stable snake_case `code` the
 * HTTP layer maps to a status (400/422, 404, 403, 409, 412); a subclass may
 * narrow the code (e.g. `email_taken`) without changing the status family.
 * Messages are safe to show: never a secret, never a password.
 */
export abstract class DomainError extends Error {
  readonly code: string;
  readonly details: readonly Record<string, unknown>[] | undefined;

  protected constructor(defaultCode: string, message: string, options: DomainErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = options.code ?? defaultCode;
    this.details = options.details;
  }
}

export interface DomainErrorOptions {
  code?: string;
  details?: readonly Record<string, unknown>[];
  cause?: unknown;
}

export class ValidationError extends DomainError {
  constructor(message: string, options?: DomainErrorOptions) {
    super('validation_failed', message, options);
  }
}

export class NotFoundError extends DomainError {
  constructor(message = 'not found', options?: DomainErrorOptions) {
    super('not_found', message, options);
  }
}

export class ForbiddenError extends DomainError {
  constructor(message = 'not allowed', options?: DomainErrorOptions) {
    super('forbidden', message, options);
  }
}

export class ConflictError extends DomainError {
  constructor(message: string, options?: DomainErrorOptions) {
    super('conflict', message, options);
  }
}

/** The caller's If-Match revision is stale. */
export class PreconditionFailedError extends DomainError {
  constructor(message = 'the resource has changed since it was read', options?: DomainErrorOptions) {
    super('precondition_failed', message, options);
  }
}
