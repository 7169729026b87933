import type { Request } from 'express';
import type { RequestInfo } from '../auth/identity/request-info.js';
import { rateLimitHeaders } from './rate-limit-headers.js';

const SANE_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * What the identity services record and limit by: the request id (from
 * request logging), a client-chosen correlation id when it is sane, the user
 * agent, the client's address as express sees it through TRUST_PROXY, and
 * where the limits' counts go (the answer's RateLimit-* headers).
 */
export function requestInfo(req: Request): RequestInfo {
  const correlationId = req.get('x-correlation-id');
  return {
    requestId: String(req.id),
    ...(correlationId && SANE_ID.test(correlationId) ? { correlationId } : {}),
    ip: req.ip ?? null,
    userAgent: req.get('user-agent')?.slice(0, 512) ?? null,
    ...(req.res ? { rateLimits: rateLimitHeaders(req.res) } : {}),
  };
}
