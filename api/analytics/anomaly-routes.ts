import { z } from 'zod';
import type { Knex } from 'knex';
import { analyticsTenantOf } from './analytics-reader.js';
import { ANOMALY_PROJECTION } from '../../projections/analytics/anomalies-projection.js';
import { listAnomalies } from '../../projections/analytics/anomaly-queries.js';
import { pageQuerySchema, pageRequest, pageSchema } from '../pagination.js';
import type { ReadYourWrites } from '../read-your-writes.js';
import { defineRoute } from '../route.js';
import { routeModule, type RouteModule } from '../route-module.js';

const anomalySchema = z
  .object({
    id: z.string().meta({ description: 'The AnomalyDetected event id' }),
    event: z.string().meta({ description: 'The track name, or `$page`, `$identify`... for the other calls' }),
    minute: z.string().meta({ description: 'Start of the unusual minute (UTC, of the events\' receivedAt)' }),
    kind: z.enum(['spike', 'drop']),
    observed: z.number().meta({ description: 'Events in that minute' }),
    expected: z.number().meta({ description: 'The moving mean before it' }),
    z: z.number().meta({ description: 'How many deviations from the mean' }),
    position: z.string(),
    detectedAt: z.string(),
  })
  .meta({ id: 'Anomaly' });

const querySchema = pageQuerySchema.extend({ event: z.string().min(1).max(200).optional().meta({ description: 'Only this event\'s anomalies' }) });

/** `GET /api/analytics/anomalies`: the tenant's spikes and drops, newest first. */
export function anomalyRoutes(knex: Knex, wait: ReadYourWrites): RouteModule {
  return routeModule('analytics-anomalies', [
    defineRoute({
      method: 'get', path: '/api/analytics/anomalies', tags: ['analytics'], auth: 'required', apiKeyScope: 'read',
      summary: "Your tenant's anomalies: minutes whose count of an event was far above or below its moving mean, newest first",
      description:
        'Admins of the tenant, or an API key with the `read` scope. Thresholds: ANALYTICS_ANOMALY_Z_THRESHOLD, ANALYTICS_ANOMALY_MIN_VOLUME, ' +
        'ANALYTICS_ANOMALY_EWMA_ALPHA, ANALYTICS_ANOMALY_WARMUP_MINUTES; a minute without events is judged ANALYTICS_ANOMALY_GRACE_SECONDS after it ends.',
      request: { query: querySchema },
      responses: { 200: { schema: pageSchema(anomalySchema, 'AnomalyPage'), description: 'One page' } },
      errors: [403],
      readYourWrites: { wait, readModels: [ANOMALY_PROJECTION] },
      async handler({ principal, query }) {
        const page = await listAnomalies(knex, analyticsTenantOf(principal), { ...pageRequest(query), ...(query.event === undefined ? {} : { event: query.event }) });
        return {
          status: 200,
          body: {
            items: page.items.map((item) => ({ ...item, minute: item.minute.toISOString(), detectedAt: item.detectedAt.toISOString() })),
            nextCursor: page.nextCursor,
          },
        };
      },
    }),
  ]);
}
