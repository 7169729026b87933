import type { FeatureApiContext } from '../../app/feature.js';
import { ingestEvents, type IngestDeps } from '../../commands/analytics/ingest-events.js';
import type { RouteModule } from '../route-module.js';
import { analyticsExportApi } from './export-route.js';
import { quarantineApi } from './quarantine-routes.js';
import { analyticsQueryApi } from './query-routes.js';
import type { SpanLimits } from './time-range.js';

/** The analytics queries', the export's and the quarantine's routes, built from the feature's context (api/analytics/index.ts lists them). */
export function analyticsQueryRoutes({ services, runtime, readYourWrites }: FeatureApiContext, ingestDeps: IngestDeps): RouteModule[] {
  const { config } = services;
  const limits: SpanLimits = {
    minuteHours: config.ANALYTICS_MAX_SPAN_MINUTE_HOURS,
    hourDays: config.ANALYTICS_MAX_SPAN_HOUR_DAYS,
    dayDays: config.ANALYTICS_MAX_SPAN_DAY_DAYS,
    monthMonths: config.ANALYTICS_MAX_SPAN_MONTH_MONTHS,
    exportDays: config.ANALYTICS_EXPORT_MAX_SPAN_DAYS,
  };
  return [
    analyticsQueryApi({ knex: services.knex, runtime, limits, readYourWrites }),
    analyticsExportApi({
      session: { connectionString: services.databaseUrl, statementTimeoutMs: config.ANALYTICS_EXPORT_TIMEOUT_MS, connectTimeoutMs: config.DATABASE_CONNECT_TIMEOUT_MS },
      runtime,
      limits,
      concurrency: config.ANALYTICS_EXPORT_CONCURRENCY,
      logger: services.logger,
      readYourWrites,
    }),
    quarantineApi({ knex: services.knex, runtime, readYourWrites, ingest: (request) => ingestEvents(ingestDeps, request) }),
  ];
}
