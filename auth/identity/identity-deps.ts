import type { CommandHandler } from '../../commands/command-handler.js';
import type { Runtime } from '../../commands/runtime.js';
import type { SignupSaga } from '../../commands/signup-saga.js';
import type { EventStore } from '../../infra/event-store/event-store.js';
import type { CredentialStore } from '../passwords/credential-store.js';
import type { PasswordHasher } from '../passwords/password-hasher.js';
import type { AuthLimits } from '../rate-limit/auth-limits.js';
import type { SessionStore } from '../sessions/session-store.js';
import type { AccessTokens } from '../tokens/access-tokens.js';
import type { UserDirectory } from '../user-directory.js';

export interface IdentitySettings {
  /** Normalised emails that hold the operator role (OPERATOR_EMAILS). */
  operatorEmails: readonly string[];
  /** How long an invitation stays valid. */
  invitationTtlSeconds: number;
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
  limits: AuthLimits;
  settings: IdentitySettings;
}
