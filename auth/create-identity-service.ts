import type { Knex } from 'knex';
import type { CommandHandler } from '../commands/command-handler.js';
import type { Runtime } from '../commands/runtime.js';
import { SignupSaga } from '../commands/signup-saga.js';
import { normaliseEmail } from '../domain/email/email-address.js';
import type { EventStore } from '../infra/event-store/event-store.js';
import { createLogger, type Logger } from '../infra/logging/logger.js';
import { DeferredWork } from './deferred-work.js';
import { EmailTokenStore } from './email-tokens/email-token-store.js';
import { LogMailer } from './mail/log-mailer.js';
import type { Mailer } from './mail/mailer.js';
import { ApiKeyService } from './api-keys/api-key-service.js';
import { ApiKeyStore } from './api-keys/api-key-store.js';
import { IdentityService } from './identity-service.js';
import type { AuthenticationCache } from './cache/authentication-cache.js';
import { OidcClient, type OidcProviderSettings } from './oidc/oidc-client.js';
import { OidcLogin } from './oidc/oidc-login.js';
import { PendingLoginStore } from './oidc/pending-logins.js';
import { CredentialStore } from './passwords/credential-store.js';
import { OWASP_SCRYPT, PasswordHasher, type ScryptParams } from './passwords/password-hasher.js';
import { AuthLimits, DEFAULT_AUTH_LIMITS, type AuthLimitSettings } from './rate-limit/auth-limits.js';
import { SessionStore, type SessionSettings } from './sessions/session-store.js';
import { AccessTokens, type AccessTokenSettings } from './tokens/access-tokens.js';
import { KeyStore } from './tokens/key-store.js';
import { EventStoreUserDirectory, type UserDirectory } from './user-directory.js';

export interface IdentityServiceOptions {
  knex: Knex;
  eventStore: EventStore;
  /** The process's one command handler (built by the composition root, with its snapshots and upcasters). */
  commands: CommandHandler;
  runtime: Runtime;
  tokens: AccessTokenSettings;
  sessions: SessionSettings;
  limits?: AuthLimitSettings;
  /** OWASP's unless told; tests pass a cheaper cost explicitly. */
  scrypt?: ScryptParams;
  operatorEmails?: readonly string[];
  invitationTtlSeconds?: number;
  abandonedReservationMs?: number;
  apiKeyDefaultRateLimitPerMinute?: number;
  /** API_KEYS_PER_TENANT: 100 unless told. */
  maxApiKeysPerTenant?: number;
  oidcProviders?: readonly OidcProviderSettings[];
  /** A projection-backed directory, once there is one; the event store otherwise. */
  directory?: UserDirectory;
  /**
   * Open sessions and current users kept between requests; without it every
   * request reads both. Only given with a listener that keeps it told of
   * other processes' changes (auth/cache/authentication-cache-listener.ts).
   */
  authenticationCache?: AuthenticationCache;
  /** Where failures of deferred work (mail) are reported; silent unless given. */
  logger?: Logger;
  /** The log unless given (see LogMailer). */
  mailer?: Mailer;
  /** Where links in mail point; `http://localhost:3000` unless given. */
  publicUrl?: string;
  emailVerificationTtlSeconds?: number;
  passwordResetTtlSeconds?: number;
}

/** Wires the identity services from the application's knex, event store and settings. */
export async function createIdentityService(options: IdentityServiceOptions): Promise<IdentityService> {
  const { knex, eventStore, runtime, commands: handler } = options;
  const keyStore = new KeyStore(knex);
  const logger = options.logger ?? createLogger('silent');
  const apiKeyStore = new ApiKeyStore(knex);
  const cache = options.authenticationCache;
  // Appends by this process (role changes, disabling) reach the cache before their command answers.
  if (cache) handler.observeAppends((streamId) => cache.streamAppended(streamId));
  const deps = {
    eventStore,
    handler,
    runtime,
    saga: new SignupSaga({ handler, runtime, abandonedReservationMs: options.abandonedReservationMs ?? 5 * 60_000 }),
    directory: options.directory ?? new EventStoreUserDirectory(handler),
    hasher: new PasswordHasher(options.scrypt ?? OWASP_SCRYPT),
    credentials: new CredentialStore(knex),
    tokens: await AccessTokens.create(keyStore, options.tokens, runtime),
    sessions: new SessionStore(knex, runtime, options.sessions, (ids) => ids.forEach((sessionId) => cache?.invalidate({ kind: 'session', sessionId }))),
    ...(cache ? { authenticationCache: cache } : {}),
    limits: new AuthLimits(knex, options.limits ?? DEFAULT_AUTH_LIMITS),
    apiKeyStore,
    emailTokens: new EmailTokenStore(knex),
    mailer: options.mailer ?? new LogMailer(logger.child({ component: 'mail' })),
    deferred: new DeferredWork(logger.child({ component: 'identity' })),
    settings: {
      operatorEmails: (options.operatorEmails ?? []).map(normaliseEmail),
      invitationTtlSeconds: options.invitationTtlSeconds ?? 7 * 24 * 3600,
      publicUrl: (options.publicUrl ?? 'http://localhost:3000').replace(/\/+$/, ''),
      emailVerificationTtlSeconds: options.emailVerificationTtlSeconds ?? 24 * 3600,
      passwordResetTtlSeconds: options.passwordResetTtlSeconds ?? 15 * 60,
    },
  };
  const apiKeys = new ApiKeyService({
    handler,
    store: apiKeyStore,
    runtime,
    knex,
    directory: deps.directory,
    defaultRateLimitPerMinute: options.apiKeyDefaultRateLimitPerMinute ?? 600,
    maxActiveKeysPerTenant: options.maxApiKeysPerTenant ?? 100,
    limits: deps.limits,
  });
  const clients = new Map((options.oidcProviders ?? []).map((provider) => [provider.name, new OidcClient(provider)] as const));
  const oidc = new OidcLogin(deps, clients, new PendingLoginStore(knex));
  return new IdentityService(deps, apiKeys, oidc, keyStore);
}
