import type { RequestHandler } from 'express';

/** What a browser script may send and read across origins: the headers the API itself takes and gives. */
const ALLOWED_METHODS = 'GET, HEAD, POST, PUT, PATCH, DELETE';
const ALLOWED_HEADERS = 'Authorization, Content-Type, If-Match, If-None-Match, Idempotency-Key, X-Api-Key, X-Min-Position, X-Request-Id';
const EXPOSED_HEADERS = 'X-Request-Id, ETag, Location, Retry-After, Idempotent-Replayed, RateLimit-Limit, RateLimit-Remaining, RateLimit-Reset';
const PREFLIGHT_MAX_AGE_SECONDS = '600';

/**
 * CORS for the origins in CORS_ORIGINS: a preflight from one of them is
 * answered here (204), and its requests get the headers that let its
 * scripts read the answer. Any other origin gets no CORS header at all, so
 * the browser keeps it same-origin. No credentials mode: the API's
 * credentials are headers (Bearer, X-Api-Key), never cookies.
 */
export function cors(allowedOrigins: readonly string[]): RequestHandler {
  const allowed = new Set(allowedOrigins);
  return (req, res, next) => {
    if (allowed.size === 0) return next();
    // Answers differ by Origin: caches must keep them apart.
    res.vary('Origin');
    const origin = req.get('origin');
    if (origin === undefined || !allowed.has(origin)) return next();
    res.set('Access-Control-Allow-Origin', origin);
    if (req.method === 'OPTIONS' && req.get('access-control-request-method') !== undefined) {
      res.set({
        'Access-Control-Allow-Methods': ALLOWED_METHODS,
        'Access-Control-Allow-Headers': ALLOWED_HEADERS,
        'Access-Control-Max-Age': PREFLIGHT_MAX_AGE_SECONDS,
      });
      res.status(204).end();
      return;
    }
    res.set('Access-Control-Expose-Headers', EXPOSED_HEADERS);
    next();
  };
}
