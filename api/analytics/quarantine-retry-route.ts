import type { Knex } from 'knex';
import { z } from 'zod';
import type { IngestRequest, IngestResult } from '../../commands/analytics/ingest-events.js';
import { IngestEventTooLargeError } from '../../commands/analytics/errors.js';
import type { Runtime } from '../../commands/runtime.js';
import { analyticsSourceSchema, analyticsEventTypeSchema } from '../../domain/analytics/index.js';
import { findQuarantined } from '../../projections/analytics-quarantine/quarantine-queries.js';
import { ANALYTICS_QUARANTINE } from '../../projections/analytics-quarantine/quarantine-read-model.js';
import { Conflict, NotFound, PayloadTooLarge, ValidationError } from '../errors.js';
import { minPositionHeaderSchema, type ReadYourWrites } from '../read-your-writes.js';
import { requestInfo } from '../request-info.js';
import { defineRoute } from '../route.js';
import type { Route } from '../route.js';
import { analyticsTenantOf } from './analytics-reader.js';
import { quarantineParamsSchema } from './quarantine-schemas.js';

export interface QuarantineRetryDeps {
  knex: Knex;
  runtime: Runtime;
  readYourWrites: ReadYourWrites;
  /** ingestEvents with the process's ingest dependencies. */
  ingest(request: IngestRequest): Promise<IngestResult>;
}

/** The corrected event: any JSON object; the rules of the endpoint that refused it decide whether it is valid now. */
const correctedEventSchema = z.record(z.string(), z.unknown()).meta({ description: 'The event, corrected, in the shape the refusing endpoint takes (a Segment call or a native event)' });

const retryAnswerSchema = z
  .object({
    id: z.string().meta({ description: 'The quarantine id' }),
    accepted: z.number().int().meta({ description: '1 when the event was appended now, 0 when the tenant had sent its messageId before' }),
    duplicates: z.number().int(),
    position: z.string().nullable().meta({ description: 'Log position of the append: X-Min-Position for the quarantine list and the warehouse' }),
  })
  .meta({ id: 'AnalyticsQuarantineRetryAnswer' });

/** The entry is already resolved: 409 `quarantine_resolved`. */
export class QuarantineResolvedError extends Conflict {
  constructor(quarantineId: string) {
    super('this quarantined event has already been retried and accepted', { code: 'quarantine_resolved', details: [{ id: quarantineId }] });
  }
}

/**
 * `POST /api/analytics/quarantine/:id/retry`: the event sent again, fixed,
 * through ingestEvents with `retryOf`, by the rules of the endpoint that
 * refused it (native or Segment, and the call type `/v1/track` implied).
 * Accepted, it is appended with AnalyticsQuarantineRetried in the same
 * stream and the entry shows resolved; still invalid, 422 and nothing is
 * appended (it is not quarantined a second time). The enrichment is the
 * event's own `context.ip` / `context.userAgent` only: the admin's browser
 * and address are not the original client's.
 */
export function quarantineRetryRoute(deps: QuarantineRetryDeps): Route {
  return defineRoute({
    method: 'post', path: '/api/analytics/quarantine/:id/retry', tags: ['analytics'], auth: 'required', apiKeyScope: 'admin',
    summary: 'Send a quarantined event again, corrected: accepted, it resolves the entry; still invalid, 422 and nothing changes',
    description: 'Admins of the tenant, or an API key with the admin scope (a retry appends: `read` is not enough). `X-Min-Position` waits until the quarantine list has the entry.',
    request: { params: quarantineParamsSchema, headers: minPositionHeaderSchema, body: correctedEventSchema },
    responses: { 200: { schema: retryAnswerSchema, description: 'Accepted (or a duplicate of an event already in), the entry resolved' } },
    errors: [403, 404, 409, 413, 503, 504],
    async handler({ params, body, principal, req }) {
      const tenantId = analyticsTenantOf(principal);
      await deps.readYourWrites(req, [ANALYTICS_QUARANTINE]);
      const entry = await findQuarantined(deps.knex, tenantId, params.id);
      if (!entry) throw new NotFound('no quarantined event of your tenant has this id', { code: 'quarantine_entry_not_found' });
      if (entry.retried_at !== null) throw new QuarantineResolvedError(entry.quarantine_id);
      const source = analyticsSourceSchema.catch('segment').parse(entry.source);
      const impliedType = entry.implied_type === null ? undefined : analyticsEventTypeSchema.exclude(['native']).safeParse(entry.implied_type).data;
      const info = requestInfo(req);
      let result: IngestResult;
      try {
        result = await deps.ingest({
          tenantId,
          keyId: principal.kind === 'apiKey' ? principal.keyId : null,
          actor: principal.kind === 'apiKey' ? { type: 'apiKey', id: principal.keyId } : { type: 'user', id: principal.userId },
          source,
          ...(impliedType ? { impliedType } : {}),
          receivedAt: deps.runtime.now(),
          events: [body],
          single: true,
          retryOf: entry.quarantine_id,
          origin: { requestId: info.requestId, ...(info.correlationId ? { correlationId: info.correlationId } : {}) },
        });
      } catch (error) {
        if (error instanceof IngestEventTooLargeError) {
          throw new PayloadTooLarge(error.message, { code: 'event_too_large', details: [{ bytes: error.bytes, limitBytes: error.limitBytes }] });
        }
        throw error;
      }
      const refused = result.rejected[0];
      if (refused) throw new ValidationError('the corrected event is still invalid; nothing was changed', { code: 'still_invalid', details: refused.errors });
      return { status: 200, body: { id: entry.quarantine_id, accepted: result.accepted, duplicates: result.duplicates, position: result.position } };
    },
  });
}
