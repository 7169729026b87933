import { describe, expect, it } from '@jest/globals';
import type { JsonObject } from '../../infra/event-store/event-store.js';
import { auditEventsProjection } from '../../projections/audit/audit-events-projection.js';
import { projectionSpec } from '../support/projection-spec.js';

const OCCURRED = '2026-03-10T09:30:00.123Z';

function given(n: number, stream: string, type: string, data: JsonObject, actor: JsonObject, tenantId: string | null) {
  const id = `0b9b5c7e-1f4e-4f0e-9d55-8c1d2a3b4c0${n}`;
  return { id, stream, type, data, metadata: { actor, tenantId, correlationId: `c${n}`, causationId: `r${n}`, occurredAt: OCCURRED } };
}

function filed(n: number, row: { stream: string; category: string; stream_id: string; revision: string; type: string; actor_type: string; actor_id: string; tenant_id: string | null; data: JsonObject | null }) {
  return { event_id: `0b9b5c7e-1f4e-4f0e-9d55-8c1d2a3b4c0${n}`, ...row, correlation_id: `c${n}`, causation_id: `r${n}`, occurred_at: OCCURRED };
}

describe('audit_events projection', () => {
  it('files every event of any stream and type with its metadata in columns and its data as stored (an ingest’s left in the log); a replay builds the same rows', async () => {
    await projectionSpec(auditEventsProjection(), { engine: { settings: { batchEvents: 2 } } })
      .given([
        given(1, 'post-1b2c', 'PostCreated', { title: 'Hello' }, { type: 'user', id: 'u1' }, 't1'),
        given(2, 'post-1b2c', 'PostUpdated', { title: 'Hello again' }, { type: 'user', id: 'u1' }, 't1'),
        given(3, 'ingest-9', 'AnalyticsEventReceived', { n: 1 }, { type: 'apiKey', id: 'k1' }, 't2'),
        given(4, 'nodash', 'Odd', {}, { type: 'system', id: 'chronicle' }, null),
      ])
      .then(
        {
          audit_events: [
            filed(1, { stream: 'post-1b2c', category: 'post', stream_id: '1b2c', revision: '0', type: 'PostCreated', actor_type: 'user', actor_id: 'u1', tenant_id: 't1', data: { title: 'Hello' } }),
            filed(2, { stream: 'post-1b2c', category: 'post', stream_id: '1b2c', revision: '1', type: 'PostUpdated', actor_type: 'user', actor_id: 'u1', tenant_id: 't1', data: { title: 'Hello again' } }),
            filed(3, { stream: 'ingest-9', category: 'ingest', stream_id: '9', revision: '0', type: 'AnalyticsEventReceived', actor_type: 'apiKey', actor_id: 'k1', tenant_id: 't2', data: null }),
            filed(4, { stream: 'nodash', category: 'nodash', stream_id: '', revision: '0', type: 'Odd', actor_type: 'system', actor_id: 'chronicle', tenant_id: null, data: {} }),
          ],
        },
        { replay: true },
      );
  });

  it('files an event whose metadata lacks the usual fields with those unknown (null), keeping the metadata as stored', async () => {
    await projectionSpec(auditEventsProjection())
      .given([{ stream: 'legacy-1', type: 'Imported', data: { n: 1 }, metadata: { actor: 'someone', tenantId: 42, correlationId: '', occurredAt: 'yesterday' } }])
      .then({
        audit_events: [
          { stream: 'legacy-1', actor_type: null, actor_id: null, tenant_id: null, correlation_id: null, metadata: expect.objectContaining({ actor: 'someone', occurredAt: 'yesterday' }) },
        ],
      });
  });
});
