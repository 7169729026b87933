import type { Knex } from 'knex';
import { RateLimitedError } from '../errors.js';
import type { RequestInfo } from '../identity/request-info.js';
import { clientBucket } from './client-bucket.js';
import type { LimitName, RateLimit } from './limit-state.js';
import { PostgresRateLimiter } from './rate-limiter.js';

export interface AuthLimitSettings {
  signupPerIp: RateLimit;
  signupPerEmail: RateLimit;
  loginPerIp: RateLimit;
  /** Password attempts per account (login and password change) before it is locked out for blockSeconds; a success clears them. */
  loginFailuresPerAccount: RateLimit;
  /** New verification mails a signed-in user may ask for. */
  verificationResendPerUser: RateLimit;
  /** Reset mails per address (beyond it, requests are answered alike and send nothing) and requests per IP (429). */
  passwordResetPerEmail: RateLimit;
  passwordResetPerIp: RateLimit;
  /** API keys a tenant's admins may issue per window (the cap on active keys is API_KEYS_PER_TENANT). */
  apiKeyIssuePerTenant: RateLimit;
  /** OIDC logins started per IP: each one stores a pending login until it completes or expires. */
  oidcLoginPerIp: RateLimit;
}

/** The defaults the configuration starts from (RATE_LIMIT_* variables). */
export const DEFAULT_AUTH_LIMITS: AuthLimitSettings = {
  signupPerIp: { points: 10, windowSeconds: 3600 },
  signupPerEmail: { points: 5, windowSeconds: 3600 },
  loginPerIp: { points: 100, windowSeconds: 900 },
  loginFailuresPerAccount: { points: 10, windowSeconds: 900, blockSeconds: 900 },
  verificationResendPerUser: { points: 3, windowSeconds: 3600 },
  passwordResetPerEmail: { points: 3, windowSeconds: 3600 },
  passwordResetPerIp: { points: 20, windowSeconds: 3600 },
  apiKeyIssuePerTenant: { points: 20, windowSeconds: 3600 },
  oidcLoginPerIp: { points: 100, windowSeconds: 900 },
};

/** Each limit's name in answers and the variable that sets it. */
export const AUTH_LIMIT_NAMES: { readonly [Limit in keyof AuthLimitSettings]: LimitName } = {
  signupPerIp: { name: 'signup_per_ip', variable: 'RATE_LIMIT_SIGNUP_PER_IP' },
  signupPerEmail: { name: 'signup_per_email', variable: 'RATE_LIMIT_SIGNUP_PER_EMAIL' },
  loginPerIp: { name: 'login_per_ip', variable: 'RATE_LIMIT_LOGIN_PER_IP' },
  loginFailuresPerAccount: { name: 'login_failures_per_account', variable: 'RATE_LIMIT_LOGIN_FAILURES_PER_ACCOUNT' },
  verificationResendPerUser: { name: 'verify_email_resend_per_user', variable: 'RATE_LIMIT_VERIFY_EMAIL_RESEND_PER_USER' },
  passwordResetPerEmail: { name: 'password_reset_per_email', variable: 'RATE_LIMIT_PASSWORD_RESET_PER_EMAIL' },
  passwordResetPerIp: { name: 'password_reset_per_ip', variable: 'RATE_LIMIT_PASSWORD_RESET_PER_IP' },
  apiKeyIssuePerTenant: { name: 'api_key_issue_per_tenant', variable: 'RATE_LIMIT_API_KEY_ISSUE_PER_TENANT' },
  oidcLoginPerIp: { name: 'oidc_login_per_ip', variable: 'RATE_LIMIT_OIDC_LOGIN_PER_IP' },
};

type Limiters = { readonly [Limit in keyof AuthLimitSettings]: PostgresRateLimiter };

/**
 * The identity limits. Per-IP limits count the client's bucket (an IPv6
 * /64, or the one bucket of unknown addresses: see clientBucket). Password
 * attempts on an account are reserved before the password is checked, so
 * concurrent guesses cannot all pass a check made before any is counted; a
 * success clears the account's count (rate-limiter-flexible's login-lockout
 * recipe), so a locked-out attacker cannot lock the owner out for longer
 * than the block.
 */
export class AuthLimits {
  private readonly limiters: Limiters;

  constructor(knex: Knex, settings: AuthLimitSettings) {
    const limiter = (limit: keyof AuthLimitSettings) => new PostgresRateLimiter(knex, AUTH_LIMIT_NAMES[limit], settings[limit]);
    this.limiters = {
      signupPerIp: limiter('signupPerIp'),
      signupPerEmail: limiter('signupPerEmail'),
      loginPerIp: limiter('loginPerIp'),
      loginFailuresPerAccount: limiter('loginFailuresPerAccount'),
      verificationResendPerUser: limiter('verificationResendPerUser'),
      passwordResetPerEmail: limiter('passwordResetPerEmail'),
      passwordResetPerIp: limiter('passwordResetPerIp'),
      apiKeyIssuePerTenant: limiter('apiKeyIssuePerTenant'),
      oidcLoginPerIp: limiter('oidcLoginPerIp'),
    };
  }

  async beforeSignup(request: RequestInfo, email: string): Promise<void> {
    await this.limiters.signupPerIp.consume(clientBucket(request.ip), { report: request.rateLimits });
    await this.limiters.signupPerEmail.consume(email, { report: request.rateLimits });
  }

  /** Counts the attempt against the IP, and reserves one of the account's password attempts (see passwordChecked). */
  async beforeLogin(request: RequestInfo, email: string): Promise<void> {
    await this.limiters.loginPerIp.consume(clientBucket(request.ip), { report: request.rateLimits });
    await this.beforePasswordCheck(request, email);
  }

  /** Reserves one of the account's password attempts before the (slow) check: a login, or a password change's current password. */
  async beforePasswordCheck(request: RequestInfo, email: string): Promise<void> {
    await this.limiters.loginFailuresPerAccount.consume(email, { report: request.rateLimits });
  }

  /** The password was right: the account's attempts are forgotten. A wrong one keeps its reservation. */
  async passwordAccepted(email: string, request?: RequestInfo): Promise<void> {
    await this.limiters.loginFailuresPerAccount.reset(email, request?.rateLimits);
  }

  async beforeOidcLogin(request: RequestInfo): Promise<void> {
    await this.limiters.oidcLoginPerIp.consume(clientBucket(request.ip), { report: request.rateLimits });
  }

  async beforeApiKeyIssue(request: RequestInfo, tenantId: string): Promise<void> {
    await this.limiters.apiKeyIssuePerTenant.consume(tenantId, { report: request.rateLimits });
  }

  async beforeVerificationResend(request: RequestInfo, userId: string): Promise<void> {
    await this.limiters.verificationResendPerUser.consume(userId, { report: request.rateLimits });
  }

  /**
   * Throws (429) when the IP asks too often. Answers false, without
   * throwing, when the address has had its share of reset mails: the caller
   * answers as always and sends nothing, so the limit neither floods an
   * inbox nor tells anyone whether the address has an account.
   */
  async beforePasswordReset(request: RequestInfo, email: string): Promise<boolean> {
    await this.limiters.passwordResetPerIp.consume(clientBucket(request.ip), { report: request.rateLimits });
    try {
      // Not reported: its headers would differ by address, and the answer must not.
      await this.limiters.passwordResetPerEmail.consume(email);
      return true;
    } catch (error) {
      if (error instanceof RateLimitedError) return false;
      throw error;
    }
  }
}
