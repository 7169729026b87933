import type { Knex } from 'knex';
import { PostgresRateLimiter, type RateLimit } from './rate-limiter.js';

export interface AuthLimitSettings {
  signupPerIp: RateLimit;
  signupPerEmail: RateLimit;
  loginPerIp: RateLimit;
  /** Failed logins per account before it is locked out for blockSeconds. */
  loginFailuresPerAccount: RateLimit;
}

/** The defaults the configuration starts from (AUTH_* variables). */
export const DEFAULT_AUTH_LIMITS: AuthLimitSettings = {
  signupPerIp: { points: 10, windowSeconds: 3600 },
  signupPerEmail: { points: 5, windowSeconds: 3600 },
  loginPerIp: { points: 100, windowSeconds: 900 },
  loginFailuresPerAccount: { points: 10, windowSeconds: 900, blockSeconds: 900 },
};

/**
 * Signup and login limits (rate-limiter-flexible's login-lockout recipe):
 * every attempt counts against the IP; only failures count against the
 * account, which a success clears, so a locked-out attacker cannot lock the
 * owner out for longer than the block.
 */
export class AuthLimits {
  readonly signupPerIp: PostgresRateLimiter;
  readonly signupPerEmail: PostgresRateLimiter;
  readonly loginPerIp: PostgresRateLimiter;
  readonly loginFailuresPerAccount: PostgresRateLimiter;

  constructor(knex: Knex, settings: AuthLimitSettings) {
    this.signupPerIp = new PostgresRateLimiter(knex, 'signup_ip', settings.signupPerIp);
    this.signupPerEmail = new PostgresRateLimiter(knex, 'signup_email', settings.signupPerEmail);
    this.loginPerIp = new PostgresRateLimiter(knex, 'login_ip', settings.loginPerIp);
    this.loginFailuresPerAccount = new PostgresRateLimiter(knex, 'login_account', settings.loginFailuresPerAccount);
  }

  async beforeSignup(ip: string | null, email: string): Promise<void> {
    if (ip) await this.signupPerIp.consume(ip);
    await this.signupPerEmail.consume(email);
  }

  async beforeLogin(ip: string | null, email: string): Promise<void> {
    if (ip) await this.loginPerIp.consume(ip);
    await this.loginFailuresPerAccount.check(email);
  }

  async loginFailed(email: string): Promise<void> {
    // Counting the failure may itself reach the limit; the next attempt is the one refused.
    await this.loginFailuresPerAccount.countFailure(email);
  }

  async loginSucceeded(email: string): Promise<void> {
    await this.loginFailuresPerAccount.reset(email);
  }
}
