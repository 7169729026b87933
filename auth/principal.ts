import type { ApiKeyScope } from '../domain/tenant/api-key-scopes.js';
import type { Role } from '../domain/user/roles.js';

/** Who is asking, as established by an access token or an API key. */
export type Principal =
  | { kind: 'user'; userId: string; tenantId: string; roles: readonly Role[]; sessionId: string }
  /** `scopes`: what the key may do (auth/policies.ts requireApiKeyScope). */
  | { kind: 'apiKey'; keyId: string; tenantId: string; scopes: readonly ApiKeyScope[] };

export type UserPrincipal = Extract<Principal, { kind: 'user' }>;
