import { DomainError, type DomainErrorOptions } from '../domain/shared/errors.js';

/**
 * 401: who you are could not be established. Codes: `invalid_credentials`
 * (one message for an unknown email and a wrong password), `invalid_token`,
 * `invalid_refresh_token`, `session_ended`. The message never says which
 * check failed in a way that helps an attacker.
 */
export class AuthenticationError extends DomainError {
  constructor(message: string, options: DomainErrorOptions & { code: string }) {
    super('unauthenticated', message, options);
  }
}

export const INVALID_CREDENTIALS_MESSAGE = 'the email or password is incorrect';

export function invalidCredentials(): AuthenticationError {
  return new AuthenticationError(INVALID_CREDENTIALS_MESSAGE, { code: 'invalid_credentials' });
}

export function invalidToken(cause?: unknown): AuthenticationError {
  return new AuthenticationError('the access token is invalid or expired', { code: 'invalid_token', cause });
}

/** 429, with the seconds until the next attempt may succeed (for Retry-After). */
export class RateLimitedError extends DomainError {
  constructor(readonly retryAfterSeconds: number, message = 'too many attempts; try again later', options?: DomainErrorOptions) {
    super('too_many_requests', message, options);
  }
}
