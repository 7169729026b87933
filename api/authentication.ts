import type { Request, RequestHandler, Response } from 'express';
import { looksLikeApiKey } from '../auth/api-keys/api-key-secret.js';
import { AuthenticationError } from '../auth/errors.js';
import type { Principal, UserPrincipal } from '../auth/principal.js';
import type { AccessClaims } from '../auth/tokens/access-tokens.js';
import type { RateLimitReport } from '../auth/rate-limit/limit-state.js';
import { ValidationError } from './errors.js';
import { rateLimitHeaders } from './rate-limit-headers.js';
import { setPrincipal } from './principal.js';

/** The two checks the middleware needs; the IdentityService is one. */
export interface Authenticator {
  authenticate(accessToken: string): Promise<{ principal: UserPrincipal; claims: AccessClaims }>;
  /** `report`: where the key's own rate limit stands (RateLimit-* headers). */
  authenticateApiKey(key: string, report?: RateLimitReport): Promise<{ principal: Principal }>;
}

type Credential = { kind: 'accessToken'; token: string } | { kind: 'apiKey'; key: string };

const BEARER = /^Bearer(?:\s+(.*))?$/i;

/**
 * Establishes who is asking, before the feature routes:
 * - `Authorization: Bearer <access token>`, or `Authorization: Bearer chk_...`
 *   and `X-Api-Key: chk_...` for an API key;
 * - no credential: anonymous, and each route decides (requirePrincipal → 401);
 * - a credential that does not verify: 401 with its code (`invalid_token`,
 *   `session_ended`, `invalid_api_key`), never a silent downgrade to anonymous;
 * - an API key: RateLimit-* headers for its own rate; over it, 429 with Retry-After;
 * - both headers at once: 400, since which one counts would be a guess.
 * Other Authorization schemes (HTTP Basic for the Segment-compatible ingest)
 * are left to the routes that accept them.
 */
export function authentication(authenticator: Authenticator): RequestHandler {
  return async (req, res, next) => {
    const credential = credentialOf(req);
    if (!credential) return next();
    if (credential.kind === 'apiKey') {
      setPrincipal(res, (await authenticator.authenticateApiKey(credential.key, rateLimitHeaders(res))).principal);
      return next();
    }
    try {
      const { principal, claims } = await authenticator.authenticate(credential.token);
      setPrincipal(res, principal);
      (res.locals as AuthLocals).accessClaims = claims;
    } catch (error) {
      // RFC 6750: tell a bearer client that the token, not the request, is the problem.
      if (error instanceof AuthenticationError) res.set('WWW-Authenticate', 'Bearer error="invalid_token"');
      throw error;
    }
    next();
  };
}

interface AuthLocals {
  accessClaims?: AccessClaims;
}

/** The verified claims when the request carried an access token (not an API key). */
export function accessClaimsOf(res: Response): AccessClaims | undefined {
  return (res.locals as AuthLocals).accessClaims;
}

function credentialOf(req: Request): Credential | undefined {
  const apiKeyHeader = req.get('x-api-key');
  const bearer = BEARER.exec(req.get('authorization') ?? '');
  if (bearer && apiKeyHeader !== undefined) {
    throw new ValidationError('send either Authorization: Bearer or X-Api-Key, not both', { status: 400, code: 'ambiguous_credentials' });
  }
  if (apiKeyHeader !== undefined) return { kind: 'apiKey', key: apiKeyHeader.trim() };
  if (!bearer) return undefined;
  const value = (bearer[1] ?? '').trim();
  return looksLikeApiKey(value) ? { kind: 'apiKey', key: value } : { kind: 'accessToken', token: value };
}
