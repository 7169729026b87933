import type { Role } from '../domain/user/roles.js';

/** Who is asking, as established by an access token or an API key. */
export type Principal =
  | { kind: 'user'; userId: string; tenantId: string; roles: readonly Role[]; sessionId: string }
  | { kind: 'apiKey'; keyId: string; tenantId: string };

export type UserPrincipal = Extract<Principal, { kind: 'user' }>;
