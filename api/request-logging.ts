import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestHandler } from 'express';
import { pinoHttp } from 'pino-http';
import type { Logger } from '../infra/logging/logger.js';

export const REQUEST_ID_HEADER = 'X-Request-Id';

/** Short enough for a log line and free of anything that could forge one. */
const SANE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export function requestIdFor(req: IncomingMessage): string {
  const incoming = req.headers['x-request-id'];
  return typeof incoming === 'string' && SANE_REQUEST_ID.test(incoming) ? incoming : randomUUID();
}

/**
 * Gives each request an id (echoed in X-Request-Id) and, when requests are
 * logged at all, a child logger `req.log` carrying it.
 */
export function requestLogging(logger: Logger): RequestHandler {
  const logged = requestLogger(logger);
  return (req, res, next) => {
    // Above error (silent, fatal) no request's record is ever printed: its child loggers, built
    // with the request serialised into them, would be thrown away. Asked per request, as the level may change.
    if (logger.isLevelEnabled('error')) return logged(req, res, next);
    req.id = requestIdFor(req);
    res.setHeader(REQUEST_ID_HEADER, req.id);
    next();
  };
}

function requestLogger(logger: Logger): RequestHandler {
  return pinoHttp<IncomingMessage, ServerResponse>({
    logger,
    genReqId: (req, res) => {
      const id = requestIdFor(req);
      res.setHeader(REQUEST_ID_HEADER, id);
      return id;
    },
    customProps: (req) => ({ requestId: req.id }),
    // An OIDC callback's code and state, or a token in a query string, are credentials too; the url keeps the rest of the query.
    serializers: { req: (req: { url?: string }) => ({ ...req, url: withoutSecrets(req.url), query: undefined }) },
    // A 4xx is the client's business, not an incident. A 5xx is logged once, here, with
    // the cause the error middleware left in `res.err`.
    customLogLevel: (req, res, error) =>
      isProbe(req) && (res.statusCode < 500 || req.url === '/readyz') ? 'silent'
      : error || res.statusCode >= 500 ? 'error'
      : 'info',
  });
}

/**
 * Probes and scrapes every few seconds would drown the log; a 503 from /readyz is
 * an outage the components log themselves, once.
 */
function isProbe(req: IncomingMessage): boolean {
  return ['/healthz', '/readyz', '/metrics'].includes(req.url ?? '');
}

const SECRET_QUERY = /([?&](?:code|state|access_token|id_token|refresh_token|token|key|api_key|password|client_secret)=)[^&#]*/gi;

function withoutSecrets(url: string | undefined): string | undefined {
  return url?.replace(SECRET_QUERY, '$1[redacted]');
}
