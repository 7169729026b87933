import { DomainError, type DomainErrorOptions } from '../domain/shared/errors.js';
import type { LimitState } from './rate-limit/limit-state.js';

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

/**
 * 429: a limit was passed. The answer says which (`details[0].limit`), the
 * variable that sets it, and when to come back (Retry-After).
 */
export class RateLimitedError extends DomainError {
  constructor(readonly limit: LimitState) {
    super('too_many_requests', `too many attempts; try again in ${Math.max(1, limit.resetSeconds)} s (${describeLimit(limit)})`, {
      details: [
        {
          limit: limit.name,
          variable: limit.variable,
          points: limit.points,
          windowSeconds: limit.windowSeconds,
          retryAfterSeconds: Math.max(1, limit.resetSeconds),
        },
      ],
    });
  }

  get retryAfterSeconds(): number {
    return Math.max(1, this.limit.resetSeconds);
  }
}

function describeLimit(limit: LimitState): string {
  return `${limit.name}: ${limit.points} per ${limit.windowSeconds} s, set by ${limit.variable}`;
}
