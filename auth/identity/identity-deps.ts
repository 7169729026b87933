import type { CommandHandler } from '../../commands/command-handler.js';
import type { Runtime } from '../../commands/runtime.js';
import type { SignupSaga } from '../../commands/signup-saga.js';
import type { EventStore } from '../../infra/event-store/event-store.js';
import type { ApiKeyStore } from '../api-keys/api-key-store.js';
import type { DeferredWork } from '../deferred-work.js';
import type { EmailTokenStore } from '../email-tokens/email-token-store.js';
import type { Mailer } from '../mail/mailer.js';
import type { CredentialStore } from '../passwords/credential-store.js';
import type { PasswordHasher } from '../passwords/password-hasher.js';
import type { AuthLimits } from '../rate-limit/auth-limits.js';
import type { SessionStore } from '../sessions/session-store.js';
import type { AuthenticationCache } from '../cache/authentication-cache.js';
import type { AccessTokens } from '../tokens/access-tokens.js';
import type { UserDirectory } from '../user-directory.js';

export interface IdentitySettings {
  /** Normalised emails that hold the operator role (OPERATOR_EMAILS). */
  operatorEmails: readonly string[];
  /** How long an invitation stays valid. */
  invitationTtlSeconds: number;
  /** Where links in mail point (PUBLIC_URL), without a trailing slash. */
  publicUrl: string;
  emailVerificationTtlSeconds: number;
  passwordResetTtlSeconds: number;
}

/** Everything the identity operations share; built once by createIdentityService. */
export interface IdentityDeps {
  eventStore: EventStore;
  handler: CommandHandler;
  saga: SignupSaga;
  runtime: Runtime;
  directory: UserDirectory;
  hasher: PasswordHasher;
  credentials: CredentialStore;
  tokens: AccessTokens;
  sessions: SessionStore;
  /** Open sessions and current users between requests (API processes); every request reads both without it. */
  authenticationCache?: AuthenticationCache;
  limits: AuthLimits;
  /** API key hashes, for ending every key of an account that is claimed. */
  apiKeyStore: ApiKeyStore;
  emailTokens: EmailTokenStore;
  mailer: Mailer;
  /** Work after the answer: lookups and mail that must not show in an answer's timing. */
  deferred: DeferredWork;
  settings: IdentitySettings;
}
