import type { Request, Response } from 'express';
import { z } from 'zod';
import { requireApiKeyScope } from '../../auth/policies.js';
import type { Principal } from '../../auth/principal.js';
import { IngestEventTooLargeError, TooManyIngestEventsError } from '../../commands/analytics/errors.js';
import type { IngestRequest, IngestResult } from '../../commands/analytics/ingest-events.js';
import type { Runtime } from '../../commands/runtime.js';
import { isObject, segmentCallTypes } from '../../domain/analytics/incoming.js';
import type { Authenticator } from '../authentication.js';
import { PayloadTooLarge, Unauthorized, ValidationError } from '../errors.js';
import { zodDetails } from '../error-mapping.js';
import { RATE_LIMIT_HEADERS } from '../openapi.js';
import { rateLimitHeaders } from '../rate-limit-headers.js';
import { requestInfo } from '../request-info.js';
import { defineRoute, type RawBodyOptions } from '../route.js';
import { routeModule, type RouteModule } from '../route-module.js';
import type { IngestRateLimit } from './ingest-rate-limit.js';
import {
  ingestAnswerSchema,
  nativeEventsDocumentation,
  segmentAnswerSchema,
  segmentBatchDocumentation,
  segmentBatchSchema,
  segmentCallDocumentation,
  segmentEnvelopeSchema,
} from './ingest-schemas.js';
import { rawJson } from './raw-json.js';

export interface IngestApiDeps {
  ingest(request: IngestRequest): Promise<IngestResult>;
  /** Verifies write keys sent as HTTP Basic or in the body (the installation's authenticator). */
  authenticator: Authenticator | undefined;
  rateLimit: IngestRateLimit;
  runtime: Runtime;
  /** ANALYTICS_MAX_REQUEST_BYTES. */
  maxRequestBytes: number;
}

const tags = ['analytics'];

/**
 * The Segment-compatible endpoints: `@segment/analytics-node` (and any
 * client of Segment's HTTP tracking API) pointed at this server works
 * unchanged. Mounted before authentication: the write key comes as the HTTP
 * Basic user name or as `writeKey` in the body, never as a bearer token.
 */
export function segmentIngestApi(deps: IngestApiDeps): RouteModule {
  const rawBody = requestLimit(deps.maxRequestBytes);
  const answers = { 200: { schema: segmentAnswerSchema, description: 'Appended (valid, new events), counted (duplicates) and quarantined (refused events)', headers: RATE_LIMIT_HEADERS } };
  const description =
    'The write key (an API key of the tenant) as the HTTP Basic user name with an empty password, or as `writeKey` in the body. ' +
    'Any Content-Type, gzip or not; at most ANALYTICS_MAX_REQUEST_BYTES after inflation (413 `request_too_large`). ' +
    'Each event is checked on its own: an invalid one is quarantined and listed in `rejected`, the others are appended. ' +
    'An event sent before (same messageId) is counted in `duplicates` and appended once. Events count against ANALYTICS_RATE_LIMIT_EVENTS_PER_KEY (429).';
  return routeModule('analytics-segment', [
    defineRoute({
      method: 'post', path: '/v1/batch', tags, auth: 'none',
      summary: 'Segment-compatible batch of calls (track, identify, page, screen, group, alias)',
      description: `${description} A batch holds at most ANALYTICS_MAX_EVENTS_PER_REQUEST events (413 \`too_many_events\`); ` +
        'top-level `sentAt` and `context` apply to every event (its own fields win).',
      rawBody: { ...rawBody, schema: segmentBatchDocumentation },
      responses: answers,
      errors: [401, 403, 413, 422, 429, 503],
      async handler({ req, res }) {
        const receivedAt = deps.runtime.now();
        const body = envelope(segmentBatchSchema, rawJson(req));
        const principal = await writeKeyPrincipal(deps, req, res, body.writeKey);
        const result = await ingestFor(deps, req, res, principal, {
          source: 'segment',
          receivedAt,
          events: body.batch,
          ...(body.sentAt ? { sentAt: body.sentAt } : {}),
          ...(body.context ? { context: body.context } : {}),
        });
        return { status: 200, body: { success: true as const, ...result } };
      },
    }),
    ...segmentCallTypes.map((type) =>
      defineRoute({
        method: 'post', path: `/v1/${type}`, tags, auth: 'none',
        summary: `Segment-compatible ${type} call`,
        description: `${description} One event, at most ANALYTICS_MAX_EVENT_BYTES (413 \`event_too_large\`); its type is the path's.`,
        rawBody: { ...rawBody, schema: segmentCallDocumentation },
        responses: answers,
        errors: [401, 403, 413, 422, 429, 503],
        async handler({ req, res }) {
          const receivedAt = deps.runtime.now();
          const json = rawJson(req);
          const { writeKey } = envelope(segmentEnvelopeSchema, json);
          const principal = await writeKeyPrincipal(deps, req, res, writeKey);
          // The write key is a credential: it never reaches the log, not even with a quarantined event.
          const { writeKey: _writeKey, ...event } = json as Record<string, unknown>;
          const result = await ingestFor(deps, req, res, principal, { source: 'segment', receivedAt, events: [event], impliedType: type, single: true });
          return { status: 200, body: { success: true as const, ...result } };
        },
      }),
    ),
  ]);
}

/** `POST /api/events`: the native shape, one event or an array, from a signed-in user or an API key. */
export function nativeIngestApi(deps: IngestApiDeps): RouteModule {
  return routeModule('analytics-events', [
    defineRoute({
      method: 'post', path: '/api/events', tags, auth: 'required', apiKeyScope: 'ingest',
      summary: 'Send events: one `{event_id, event_type, timestamp, user_id, data, metadata}` or an array of them',
      description:
        'Any Content-Type, gzip or not; at most ANALYTICS_MAX_REQUEST_BYTES after inflation (413 `request_too_large`), ANALYTICS_MAX_EVENTS_PER_REQUEST events ' +
        '(413 `too_many_events`), and one event sent alone at most ANALYTICS_MAX_EVENT_BYTES (413 `event_too_large`; in an array it is quarantined). ' +
        'Invalid events are quarantined and listed in `rejected`; an event_id sent before is counted in `duplicates` and appended once.',
      rawBody: { ...requestLimit(deps.maxRequestBytes), schema: nativeEventsDocumentation },
      responses: { 202: { schema: ingestAnswerSchema, description: 'Appended, counted and quarantined', headers: RATE_LIMIT_HEADERS } },
      errors: [403, 413, 429, 503],
      async handler({ req, res, principal }) {
        const receivedAt = deps.runtime.now();
        const json = rawJson(req);
        const single = !Array.isArray(json);
        const result = await ingestFor(deps, req, res, principal, { source: 'native', receivedAt, events: single ? [json] : json, single });
        return { status: 202, body: result };
      },
    }),
  ]);
}

type IngestParts = Pick<IngestRequest, 'source' | 'receivedAt' | 'events' | 'sentAt' | 'context' | 'impliedType' | 'single'>;

async function ingestFor(deps: IngestApiDeps, req: Request, res: Response, principal: Principal, parts: IngestParts): Promise<IngestResult> {
  const keyId = principal.kind === 'apiKey' ? principal.keyId : null;
  await deps.rateLimit.beforeIngest(principal.kind === 'apiKey' ? principal.keyId : `user:${principal.userId}`, parts.events.length, rateLimitHeaders(res));
  const info = requestInfo(req);
  try {
    return await deps.ingest({
      ...parts,
      tenantId: principal.tenantId,
      keyId,
      actor: principal.kind === 'apiKey' ? { type: 'apiKey', id: principal.keyId } : { type: 'user', id: principal.userId },
      ...(info.ip ? { ip: info.ip } : {}),
      ...(info.userAgent ? { userAgent: info.userAgent } : {}),
      origin: { requestId: info.requestId, ...(info.correlationId ? { correlationId: info.correlationId } : {}) },
    });
  } catch (error) {
    if (error instanceof IngestEventTooLargeError) {
      throw new PayloadTooLarge(error.message, { code: 'event_too_large', details: [{ bytes: error.bytes, limitBytes: error.limitBytes }] });
    }
    if (error instanceof TooManyIngestEventsError) {
      throw new PayloadTooLarge(error.message, { code: 'too_many_events', details: [{ events: error.count, limit: error.limit }] });
    }
    throw error;
  }
}

/** The write key as Segment's clients send it: the HTTP Basic user name (password empty), or `writeKey` in the body. */
async function writeKeyPrincipal(deps: IngestApiDeps, req: Request, res: Response, bodyKey: string | undefined): Promise<Principal> {
  const key = basicUser(req.get('authorization')) ?? (bodyKey !== undefined && bodyKey !== '' ? bodyKey : undefined);
  if (key === undefined || !deps.authenticator) {
    res.set('WWW-Authenticate', 'Basic realm="chronicle", charset="UTF-8"');
    throw new Unauthorized('send the write key as the HTTP Basic user name or as writeKey in the body', { code: 'unauthenticated' });
  }
  const { principal } = await deps.authenticator.authenticateApiKey(key, rateLimitHeaders(res));
  // Routes without the authentication middleware check the scope themselves: a write key needs `ingest`.
  requireApiKeyScope(principal, 'ingest');
  return principal;
}

function basicUser(authorization: string | undefined): string | undefined {
  const match = /^Basic\s+([A-Za-z0-9+/=_-]+)\s*$/i.exec(authorization ?? '');
  if (!match) return undefined;
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  const user = decoded.includes(':') ? decoded.slice(0, decoded.indexOf(':')) : decoded;
  return user === '' ? undefined : user;
}

function envelope<T extends z.ZodType>(schema: T, json: unknown): z.output<T> {
  if (!isObject(json)) throw new ValidationError('the body must be a JSON object', { status: 400, code: 'malformed_body' });
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw new ValidationError('the request is invalid', { details: zodDetails(parsed.error) });
  return parsed.data;
}

function requestLimit(maxRequestBytes: number): RawBodyOptions {
  return {
    limitBytes: maxRequestBytes,
    tooLarge: { code: 'request_too_large', message: `the request body is larger than ${maxRequestBytes} bytes (ANALYTICS_MAX_REQUEST_BYTES), after gzip is undone` },
  };
}
