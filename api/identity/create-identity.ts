import type { FeatureContext } from '../../app/feature.js';
import type { Services } from '../../app/services.js';
import { createIdentityService, type IdentityServiceOptions } from '../../auth/create-identity-service.js';
import type { IdentityService } from '../../auth/identity-service.js';
import { LogMailer } from '../../auth/mail/log-mailer.js';
import type { Mailer } from '../../auth/mail/mailer.js';
import { SmtpMailer } from '../../auth/mail/smtp-mailer.js';
import type { AuthLimitSettings } from '../../auth/rate-limit/auth-limits.js';
import type { Config } from '../../infra/config/config.js';

/** What a test may change that configuration deliberately cannot (a cheap scrypt cost). */
export type IdentityOverrides = Partial<Pick<IdentityServiceOptions, 'scrypt'>>;

/** What the API process adds: the authentication cache its listener keeps current (absent in the CLI). */
export type IdentityProcessParts = Partial<Pick<IdentityServiceOptions, 'authenticationCache'>>;

/** The one place the identity services are built, from the process's services, command handler and runtime, and the configuration. */
export function createIdentity(
  { services, commands, runtime }: FeatureContext,
  overrides: IdentityOverrides = {},
  parts: IdentityProcessParts = {},
): Promise<IdentityService> {
  const { config } = services;
  return createIdentityService({
    knex: services.knex,
    eventStore: services.eventStore,
    commands,
    runtime,
    tokens: {
      issuer: config.AUTH_ISSUER,
      audience: config.AUTH_AUDIENCE,
      ttlSeconds: config.ACCESS_TOKEN_TTL_SECONDS,
      clockToleranceSeconds: config.AUTH_CLOCK_TOLERANCE_SECONDS,
      encrypt: config.ACCESS_TOKEN_ENCRYPTION,
    },
    sessions: { refreshTtlSeconds: config.REFRESH_TOKEN_TTL_SECONDS, reuseGraceSeconds: config.REFRESH_TOKEN_REUSE_GRACE_SECONDS },
    limits: authLimits(config),
    ...(overrides.scrypt ? { scrypt: overrides.scrypt } : {}),
    ...parts,
    operatorEmails: config.OPERATOR_EMAILS,
    invitationTtlSeconds: config.INVITATION_TTL_SECONDS,
    abandonedReservationMs: config.SIGNUP_ABANDONED_RESERVATION_MS,
    apiKeyDefaultRateLimitPerMinute: config.API_KEY_DEFAULT_RATE_LIMIT_PER_MINUTE,
    maxApiKeysPerTenant: config.API_KEYS_PER_TENANT,
    oidcProviders: config.oidcProviders,
    logger: services.logger,
    mailer: mailer(services),
    publicUrl: config.PUBLIC_URL,
    emailVerificationTtlSeconds: config.EMAIL_VERIFICATION_TTL_SECONDS,
    passwordResetTtlSeconds: config.PASSWORD_RESET_TTL_SECONDS,
  });
}

/** SMTP when SMTP_URL is set; otherwise the log, said once at start so nobody waits for mail that never leaves. */
function mailer({ config, logger }: Services): Mailer {
  if (config.SMTP_URL) return new SmtpMailer({ url: config.SMTP_URL, from: config.MAIL_FROM });
  logger.info('SMTP_URL is not set: mail (verification and password reset links) is written to this log');
  return new LogMailer(logger.child({ component: 'mail' }));
}

function authLimits(config: Config): AuthLimitSettings {
  return {
    signupPerIp: { points: config.RATE_LIMIT_SIGNUP_PER_IP, windowSeconds: config.RATE_LIMIT_SIGNUP_PER_IP_WINDOW_SECONDS },
    signupPerEmail: { points: config.RATE_LIMIT_SIGNUP_PER_EMAIL, windowSeconds: config.RATE_LIMIT_SIGNUP_PER_EMAIL_WINDOW_SECONDS },
    loginPerIp: { points: config.RATE_LIMIT_LOGIN_PER_IP, windowSeconds: config.RATE_LIMIT_LOGIN_PER_IP_WINDOW_SECONDS },
    loginFailuresPerAccount: {
      points: config.RATE_LIMIT_LOGIN_FAILURES_PER_ACCOUNT,
      windowSeconds: config.RATE_LIMIT_LOGIN_FAILURES_PER_ACCOUNT_WINDOW_SECONDS,
      blockSeconds: config.RATE_LIMIT_LOGIN_FAILURES_PER_ACCOUNT_BLOCK_SECONDS,
    },
    verificationResendPerUser: { points: config.RATE_LIMIT_VERIFY_EMAIL_RESEND_PER_USER, windowSeconds: config.RATE_LIMIT_VERIFY_EMAIL_RESEND_PER_USER_WINDOW_SECONDS },
    passwordResetPerEmail: { points: config.RATE_LIMIT_PASSWORD_RESET_PER_EMAIL, windowSeconds: config.RATE_LIMIT_PASSWORD_RESET_PER_EMAIL_WINDOW_SECONDS },
    passwordResetPerIp: { points: config.RATE_LIMIT_PASSWORD_RESET_PER_IP, windowSeconds: config.RATE_LIMIT_PASSWORD_RESET_PER_IP_WINDOW_SECONDS },
    oidcLoginPerIp: { points: config.RATE_LIMIT_OIDC_LOGIN_PER_IP, windowSeconds: config.RATE_LIMIT_OIDC_LOGIN_PER_IP_WINDOW_SECONDS },
    apiKeyIssuePerTenant: { points: config.RATE_LIMIT_API_KEY_ISSUE_PER_TENANT, windowSeconds: config.RATE_LIMIT_API_KEY_ISSUE_PER_TENANT_WINDOW_SECONDS },
  };
}
