import type { IncomingMessage } from 'node:http';
import { looksLikeApiKey } from '../../auth/api-keys/api-key-secret.js';
import { requireApiKeyScope } from '../../auth/policies.js';
import type { Authenticator } from '../authentication.js';
import { ValidationError } from '../errors.js';
import type { FeedReader } from './feed-rights-model.js';
import type { ConnectionSession } from './feed-connection.js';

/** A WebSocket subprotocol carrying the credential (browsers cannot set headers on a WebSocket). */
export const BEARER_PROTOCOL_PREFIX = 'bearer.';

const BEARER = /^Bearer\s+(.+)$/i;

export interface FeedIdentity {
  reader: FeedReader;
  /** For an access token: its session and expiry, re-checked while connected. */
  session?: ConnectionSession;
}

/**
 * The credential of an upgrade request, from one of: `Authorization: Bearer`,
 * `X-Api-Key`, `?access_token=`, or a `bearer.<token>` subprotocol. Several
 * at once are refused (which one counts would be a guess); none is a guest.
 */
export function upgradeCredential(req: IncomingMessage): string | undefined {
  const found: string[] = [];
  const authorization = req.headers.authorization;
  if (authorization !== undefined) {
    const bearer = BEARER.exec(authorization);
    if (!bearer) throw new ValidationError('Authorization must be Bearer <token>', { status: 400, code: 'invalid_authorization' });
    found.push(bearer[1]!.trim());
  }
  const apiKey = req.headers['x-api-key'];
  if (typeof apiKey === 'string') found.push(apiKey.trim());
  const query = new URL(req.url ?? '/', 'http://localhost').searchParams.getAll('access_token');
  found.push(...query);
  const protocol = bearerProtocol(req);
  if (protocol !== undefined) found.push(protocol.slice(BEARER_PROTOCOL_PREFIX.length));
  if (found.length > 1) throw new ValidationError('send one credential: a bearer header, an access_token parameter or a bearer subprotocol', { status: 400, code: 'ambiguous_credentials' });
  return found[0];
}

/** The `bearer.<token>` entry of Sec-WebSocket-Protocol, which the server then accepts as the subprotocol. */
export function bearerProtocol(req: IncomingMessage): string | undefined {
  const offered = req.headers['sec-websocket-protocol'];
  if (offered === undefined) return undefined;
  return offered
    .split(',')
    .map((protocol) => protocol.trim())
    .find((protocol) => protocol.startsWith(BEARER_PROTOCOL_PREFIX));
}

/** Who connects: a guest without a credential; a credential that does not verify throws (401 on the upgrade, never a silent guest). */
export async function authenticateUpgrade(authenticator: Authenticator | undefined, credential: string | undefined): Promise<FeedIdentity> {
  if (credential === undefined) return { reader: { kind: 'guest' } };
  if (!authenticator) throw new ValidationError('this process does not authenticate', { status: 400, code: 'unauthenticated' });
  if (looksLikeApiKey(credential)) {
    const { principal } = await authenticator.authenticateApiKey(credential);
    // The feed is neither ingest nor an analytics query: a key needs `admin`, as on every other route.
    requireApiKeyScope(principal, 'admin');
    if (principal.kind === 'apiKey') return { reader: { kind: 'apiKey', keyId: principal.keyId, tenantId: principal.tenantId } };
    return { reader: { kind: 'user', userId: principal.userId, tenantId: principal.tenantId, roles: principal.roles } };
  }
  const { principal, claims } = await authenticator.authenticate(credential);
  return {
    reader: { kind: 'user', userId: principal.userId, tenantId: principal.tenantId, roles: principal.roles },
    session: { sessionId: principal.sessionId, expiresAt: claims.expiresAt },
  };
}
