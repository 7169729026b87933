import { z } from 'zod';
import { analyticsEventRejectedSchema, analyticsQuarantineRetriedSchema, INGEST_STREAM_PREFIX } from '../../domain/analytics/index.js';
import { readModel } from '../read-model.js';
import { evolveQuarantineRow } from './quarantine-row.js';

export const ANALYTICS_QUARANTINE = 'analytics_quarantine';

const quarantineEventSchema = z.discriminatedUnion('type', [analyticsEventRejectedSchema, analyticsQuarantineRetriedSchema]);
export type QuarantineEvent = z.infer<typeof quarantineEventSchema>;

/**
 * One row per event refused at ingest (AnalyticsEventRejected), resolved
 * once a corrected version is accepted (AnalyticsQuarantineRetried): what
 * `GET /api/analytics/quarantine` lists, newest first, per tenant.
 */
export function analyticsQuarantineReadModel() {
  return readModel({
    name: ANALYTICS_QUARANTINE,
    version: 1,
    table: ANALYTICS_QUARANTINE,
    events: quarantineEventSchema,
    filter: { streamPrefixes: [INGEST_STREAM_PREFIX] },
    columns: {
      quarantine_id: 'text primary key',
      tenant_id: 'text not null',
      key_id: 'text',
      reasons: 'jsonb not null',
      raw: 'text not null',
      truncated: 'boolean not null',
      source: 'text',
      implied_type: 'text',
      received_at: 'timestamptz not null',
      position: 'int8 not null',
      retried_at: 'timestamptz',
      retried_message_id: 'text',
    },
    indexes: ['(tenant_id, position DESC)', '(tenant_id, position DESC) WHERE retried_at IS NULL'],
    key: (event) => event.data.quarantineId,
    evolve: evolveQuarantineRow,
  });
}
