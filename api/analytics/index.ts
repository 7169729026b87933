import type { Feature } from '../../app/feature.js';
import { analyticsAggregates } from '../../commands/analytics/aggregates.js';
import { AnomalyReactor } from '../../commands/analytics/anomaly-reactor.js';
import { analyticsIngestMigrations } from '../../commands/analytics/message-ids.js';
import type { AnomalySettings } from '../../domain/analytics/anomaly-detection.js';
import { anomalySettingsFromEnvironment, anomalySettingsOf } from '../../infra/config/analytics-anomaly-config.js';
import { analyticsQuarantineReadModel } from '../../projections/analytics-quarantine/quarantine-read-model.js';
import { anomaliesProjection } from '../../projections/analytics/anomalies-projection.js';
import { warehouseProjection } from '../../projections/warehouse/warehouse-projection.js';

export interface AnalyticsOptions {
  /** The anomaly thresholds (tests); the ANALYTICS_ANOMALY_* variables unless told. */
  anomalies?: AnomalySettings;
}

/**
 * Analytics (issue 12): Segment-compatible and native ingest, quarantine,
 * the warehouse projections, their queries and anomaly detection. The code
 * lives in the layer folders (`domain/analytics/`, `commands/analytics/`,
 * `projections/warehouse/`, `api/analytics/`); each part adds its pieces here.
 */
export function analyticsFeature(options: AnalyticsOptions = {}): Feature {
  // Read when the first batch is projected, not at import: the process has validated its config by then.
  let fromEnvironment: AnomalySettings | undefined;
  const anomalySettings = () => options.anomalies ?? (fromEnvironment ??= anomalySettingsFromEnvironment());
  return {
    name: 'analytics',
    migrations: [...analyticsIngestMigrations],
    aggregates: [...analyticsAggregates],
    projections: [warehouseProjection(), analyticsQuarantineReadModel(), anomaliesProjection(anomalySettings)],
    // Loaded only by processes that serve HTTP: a CLI command connects the read models without the routes.
    api: async (context) => (await import('./analytics-http.js')).analyticsHttp(context),
    background: ({ services: { knex, eventStore, logger, config }, runtime }) => [
      new AnomalyReactor({
        knex,
        eventStore,
        runtime,
        logger,
        settings: options.anomalies ?? anomalySettingsOf(config),
        graceMs: config.ANALYTICS_ANOMALY_GRACE_SECONDS * 1000,
        intervalMs: config.ANALYTICS_ANOMALY_CHECK_INTERVAL_MS,
      }),
    ],
  };
}
