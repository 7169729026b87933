import type { Feature } from '../../app/feature.js';
import { analyticsAggregates } from '../../commands/analytics/aggregates.js';
import { analyticsIngestMigrations } from '../../commands/analytics/message-ids.js';
import { analyticsQuarantineReadModel } from '../../projections/analytics-quarantine/quarantine-read-model.js';
import { warehouseProjection } from '../../projections/warehouse/warehouse-projection.js';
import { ingestDepsOf, ingestRoutes } from './ingest.js';
import { analyticsQueryRoutes } from './query-feature-part.js';

/**
 * Analytics (issue 12): Segment-compatible and native ingest, quarantine,
 * the warehouse projections, their queries and anomaly detection. The code
 * lives in the layer folders (`domain/analytics/`, `commands/analytics/`,
 * `projections/warehouse/`, `api/analytics/`); each part adds its pieces here.
 */
export function analyticsFeature(): Feature {
  return {
    name: 'analytics',
    migrations: [...analyticsIngestMigrations],
    aggregates: [...analyticsAggregates],
    projections: [warehouseProjection(), analyticsQuarantineReadModel()],
    api: async (context) => {
      const ingest = await ingestDepsOf(context);
      return { routes: [...ingestRoutes(context, ingest), ...analyticsQueryRoutes(context, ingest)] };
    },
  };
}
