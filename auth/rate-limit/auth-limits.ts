import type { Knex } from 'knex';
import { RateLimitedError } from '../errors.js';
import { PostgresRateLimiter, type RateLimit } from './rate-limiter.js';

export interface AuthLimitSettings {
  signupPerIp: RateLimit;
  signupPerEmail: RateLimit;
  loginPerIp: RateLimit;
  /** Failed logins per account before it is locked out for blockSeconds. */
  loginFailuresPerAccount: RateLimit;
  /** New verification mails a signed-in user may ask for. */
  verificationResendPerUser: RateLimit;
  /** Reset mails per address (beyond it, requests are answered alike and send nothing) and requests per IP (429). */
  passwordResetPerEmail: RateLimit;
  passwordResetPerIp: RateLimit;
}

/** The defaults the configuration starts from (AUTH_* variables). */
export const DEFAULT_AUTH_LIMITS: AuthLimitSettings = {
  signupPerIp: { points: 10, windowSeconds: 3600 },
  signupPerEmail: { points: 5, windowSeconds: 3600 },
  loginPerIp: { points: 100, windowSeconds: 900 },
  loginFailuresPerAccount: { points: 10, windowSeconds: 900, blockSeconds: 900 },
  verificationResendPerUser: { points: 3, windowSeconds: 3600 },
  passwordResetPerEmail: { points: 3, windowSeconds: 3600 },
  passwordResetPerIp: { points: 20, windowSeconds: 3600 },
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
  readonly verificationResendPerUser: PostgresRateLimiter;
  readonly passwordResetPerEmail: PostgresRateLimiter;
  readonly passwordResetPerIp: PostgresRateLimiter;

  constructor(knex: Knex, settings: AuthLimitSettings) {
    this.signupPerIp = new PostgresRateLimiter(knex, 'signup_ip', settings.signupPerIp);
    this.signupPerEmail = new PostgresRateLimiter(knex, 'signup_email', settings.signupPerEmail);
    this.loginPerIp = new PostgresRateLimiter(knex, 'login_ip', settings.loginPerIp);
    this.loginFailuresPerAccount = new PostgresRateLimiter(knex, 'login_account', settings.loginFailuresPerAccount);
    this.verificationResendPerUser = new PostgresRateLimiter(knex, 'verify_resend_user', settings.verificationResendPerUser);
    this.passwordResetPerEmail = new PostgresRateLimiter(knex, 'reset_email', settings.passwordResetPerEmail);
    this.passwordResetPerIp = new PostgresRateLimiter(knex, 'reset_ip', settings.passwordResetPerIp);
  }

  async beforeVerificationResend(userId: string): Promise<void> {
    await this.verificationResendPerUser.consume(userId);
  }

  /**
   * Throws (429) when the IP asks too often. Answers false, without
   * throwing, when the address has had its share of reset mails: the caller
   * answers as always and sends nothing, so the limit neither floods an
   * inbox nor tells anyone whether the address has an account.
   */
  async beforePasswordReset(ip: string | null, email: string): Promise<boolean> {
    if (ip) await this.passwordResetPerIp.consume(ip);
    try {
      await this.passwordResetPerEmail.consume(email);
      return true;
    } catch (error) {
      if (error instanceof RateLimitedError) return false;
      throw error;
    }
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
