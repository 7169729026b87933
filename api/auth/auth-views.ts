import { z } from 'zod';
import type { AuthResult } from '../../auth/identity/session-issuer.js';
import type { Session } from '../../auth/sessions/session.js';
import type { AccessClaims } from '../../auth/tokens/access-tokens.js';
import { roleSchema } from '../../domain/user/roles.js';

/** Response shapes of the identity routes, documented in OpenAPI and built by the functions below. */
export const userViewSchema = z
  .object({
    id: z.string(),
    email: z.string(),
    emailVerified: z.boolean().meta({ description: 'The user has proven they receive mail at this address' }),
    displayName: z.string(),
    roles: z.array(roleSchema),
    tenantId: z.string(),
  })
  .meta({ id: 'User' });

export const authResultSchema = z
  .object({
    user: userViewSchema,
    accessToken: z.string().meta({ description: 'Send as Authorization: Bearer <token>' }),
    refreshToken: z.string().meta({ description: 'Opaque; rotated by POST /auth/refresh, each one usable once' }),
    expiresIn: z.number().int().meta({ description: 'Seconds until the access token expires' }),
    sessionId: z.string(),
  })
  .meta({ id: 'AuthResult' });

export const claimsSchema = z
  .object({
    userId: z.string(),
    tenantId: z.string(),
    roles: z.array(roleSchema),
    sessionId: z.string(),
    tokenId: z.string(),
    issuedAt: z.string(),
    expiresAt: z.string(),
  })
  .meta({ id: 'AccessClaims' });

export const sessionViewSchema = z
  .object({
    id: z.string(),
    current: z.boolean().meta({ description: "The session of the token making this request" }),
    createdAt: z.string(),
    lastUsedAt: z.string(),
    expiresAt: z.string(),
    userAgent: z.string().nullable(),
    ip: z.string().nullable(),
  })
  .meta({ id: 'Session' });

/** Tokens belong in the body and nowhere a cache or a log might keep them. */
export function authResultView(result: AuthResult): z.infer<typeof authResultSchema> {
  const { user, accessToken, refreshToken, expiresIn, sessionId } = result;
  return { user: { ...user, roles: [...user.roles] }, accessToken, refreshToken, expiresIn, sessionId };
}

export function claimsView(claims: AccessClaims): z.infer<typeof claimsSchema> {
  return {
    userId: claims.userId,
    tenantId: claims.tenantId,
    roles: [...claims.roles],
    sessionId: claims.sessionId,
    tokenId: claims.tokenId,
    issuedAt: claims.issuedAt.toISOString(),
    expiresAt: claims.expiresAt.toISOString(),
  };
}

export function sessionView(session: Session, currentSessionId: string): z.infer<typeof sessionViewSchema> {
  return {
    id: session.id,
    current: session.id === currentSessionId,
    createdAt: session.createdAt.toISOString(),
    lastUsedAt: session.lastUsedAt.toISOString(),
    expiresAt: session.expiresAt.toISOString(),
    userAgent: session.userAgent,
    ip: session.ip,
  };
}
