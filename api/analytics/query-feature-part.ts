import type { FeatureApiContext } from '../../app/feature.js';
import type { RouteModule } from '../route-module.js';
import { analyticsQueryApi } from './query-routes.js';

/** The analytics queries' routes, built from the feature's context (api/analytics/index.ts lists them). */
export function analyticsQueryRoutes({ services, runtime }: FeatureApiContext): RouteModule {
  const { config } = services;
  return analyticsQueryApi({
    knex: services.knex,
    runtime,
    limits: {
      minuteHours: config.ANALYTICS_MAX_SPAN_MINUTE_HOURS,
      hourDays: config.ANALYTICS_MAX_SPAN_HOUR_DAYS,
      dayDays: config.ANALYTICS_MAX_SPAN_DAY_DAYS,
      monthMonths: config.ANALYTICS_MAX_SPAN_MONTH_MONTHS,
      exportDays: config.ANALYTICS_EXPORT_MAX_SPAN_DAYS,
    },
  });
}
