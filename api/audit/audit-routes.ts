import { isOperator } from '../../auth/policies.js';
import type { Principal } from '../../auth/principal.js';
import { NotFoundError } from '../../domain/shared/errors.js';
import { AUDIT_EVENTS_PROJECTION } from '../../projections/audit/audit-events-projection.js';
import { correlationEvents, listAuditEvents, streamAuditEvents, type AuditReads } from '../../projections/audit/audit-queries.js';
import type { AuditReader } from '../../projections/audit/audit-visibility-sql.js';
import { COLLECTIONS } from '../../projections/collections/collections-read-model.js';
import { POSTS_PROJECTION } from '../../projections/posts/posts-read-model.js';
import { requireUserCaller } from '../content/caller.js';
import { pageRequest } from '../pagination.js';
import type { ReadYourWrites } from '../read-your-writes.js';
import { defineRoute } from '../route.js';
import { routeModule, type RouteModule } from '../route-module.js';
import {
  auditCorrelationParamsSchema,
  auditEventPageSchema,
  auditEventsQuerySchema,
  auditStreamParamsSchema,
  auditStreamQuerySchema,
  correlationSchema,
} from './audit-schemas.js';

export interface AuditApiDeps {
  reads: AuditReads;
  readYourWrites: ReadYourWrites;
}

/** The most events a correlation answers with (`truncated` says when there are more). */
export const CORRELATION_LIMIT = 1_000;

/** Who may see what depends on content's read models too: X-Min-Position waits for each. */
const AUDIT_READ_MODELS = [AUDIT_EVENTS_PROJECTION, POSTS_PROJECTION, COLLECTIONS];
const tags = ['audit'];

/**
 * The audit trail over HTTP. Operators read all of it, a tenant's admins
 * their tenant, everyone what they did and the history of what they may
 * read (projections/audit/audit-visibility-sql.ts). What the reader may not
 * see is left out, never refused, so a page shows no more than exists for them.
 */
export function auditApi(deps: AuditApiDeps): RouteModule {
  const readYourWrites = { wait: deps.readYourWrites, readModels: AUDIT_READ_MODELS };
  return routeModule('audit', [
    defineRoute({
      method: 'get', path: '/api/audit/events', tags, auth: 'required',
      summary: 'Who did what, when: the events you may see, by actor, tenant, stream, category, type, correlation and time, combined',
      request: { query: auditEventsQuerySchema },
      responses: { 200: { schema: auditEventPageSchema, description: 'A page of events, with their metadata' } },
      errors: [403, 503],
      readYourWrites,
      async handler({ query, principal }) {
        const { direction, limit: _limit, cursor: _cursor, ...filters } = query;
        const page = await listAuditEvents(deps.reads, auditReader(principal), withoutUndefined(filters), pageRequest(query), direction);
        return { status: 200, body: page };
      },
    }),
    defineRoute({
      method: 'get', path: '/api/audit/streams/:stream', tags, auth: 'required',
      summary: 'Every event of a stream you may see, with its metadata, in order (either way), a page at a time',
      request: { params: auditStreamParamsSchema, query: auditStreamQuerySchema },
      responses: { 200: { schema: auditEventPageSchema, description: 'A page of the stream' } },
      errors: [403, 404, 503],
      readYourWrites,
      async handler({ params, query, principal }) {
        const page = await streamAuditEvents(deps.reads, auditReader(principal), params.stream, pageRequest(query), query.direction);
        // Nothing at all to show (no cursor: the first page): no such stream, as far as this reader knows.
        if (page.items.length === 0 && query.cursor === undefined) throw new NotFoundError('no stream with that name that you may see', { code: 'stream_not_found' });
        return { status: 200, body: page };
      },
    }),
    defineRoute({
      method: 'get', path: '/api/audit/correlations/:correlationId', tags, auth: 'required',
      summary: `The events of one correlation you may see, in order, linked by causation as a tree (the first ${CORRELATION_LIMIT})`,
      request: { params: auditCorrelationParamsSchema },
      responses: { 200: { schema: correlationSchema, description: 'The chain' } },
      errors: [403, 404, 503],
      readYourWrites,
      async handler({ params, principal }) {
        const chain = await correlationEvents(deps.reads, auditReader(principal), params.correlationId, CORRELATION_LIMIT);
        if (chain.events.length === 0) throw new NotFoundError('no events of that correlation that you may see', { code: 'correlation_not_found' });
        return { status: 200, body: { correlationId: params.correlationId, ...chain } };
      },
    }),
  ]);
}

/** Operators read all; users as content sees them; an API key acts for a machine and reads no audit trail (403 user_required). */
export function auditReader(principal: Principal): AuditReader {
  if (isOperator(principal)) return { type: 'operator' };
  return requireUserCaller(principal);
}

function withoutUndefined<T extends object>(value: T): { [K in keyof T]: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(value).filter(([, entry]) => entry !== undefined)) as { [K in keyof T]: Exclude<T[K], undefined> };
}
