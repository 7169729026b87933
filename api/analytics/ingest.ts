import type { FeatureApiContext, FeatureContext } from '../../app/feature.js';
import { enricherOf } from '../../commands/analytics/enricher.js';
import { ingestEvents, type IngestDeps } from '../../commands/analytics/ingest-events.js';
import { parseUserAgent, truncateIp } from '../../domain/analytics/enrichment.js';
import { openGeoIp } from '../../infra/geoip/geoip.js';
import type { Config } from '../../infra/config/config.js';
import { IngestRateLimit } from './ingest-rate-limit.js';
import { nativeIngestApi, segmentIngestApi, type IngestApiDeps } from './ingest-routes.js';
import type { RouteModule } from '../route-module.js';

/** What ingestEvents needs in this process, with the enrichment (the GeoIP database opened once, for the ingest routes and the quarantine retry alike). */
export async function ingestDepsOf({ services, runtime }: FeatureContext): Promise<IngestDeps> {
  const { config } = services;
  const geoIp = await openGeoIp(config.ANALYTICS_GEOIP_DB);
  const enricher = enricherOf({ parseUserAgent, truncateIp, country: (ip) => geoIp.country(ip), keepFullIp: config.ANALYTICS_KEEP_FULL_IP });
  return { eventStore: services.eventStore, knex: services.knex, runtime, limits: ingestLimits(config), enricher };
}

/** The ingest part of the analytics feature: its routes, wired to ingestEvents, and what to close at shutdown (the rate limit's counts). */
export function ingestRoutes({ services, runtime, authenticator }: FeatureApiContext, ingestDeps: IngestDeps): { routes: RouteModule[]; close(): Promise<void> } {
  const { config } = services;
  const rateLimit = new IngestRateLimit(services.knex, {
    points: config.ANALYTICS_RATE_LIMIT_EVENTS_PER_KEY,
    windowSeconds: config.ANALYTICS_RATE_LIMIT_EVENTS_PER_KEY_WINDOW_SECONDS,
  });
  const deps: IngestApiDeps = {
    ingest: (request) => ingestEvents(ingestDeps, request),
    authenticator,
    rateLimit,
    runtime,
    maxRequestBytes: config.ANALYTICS_MAX_REQUEST_BYTES,
  };
  return { routes: [segmentIngestApi(deps), nativeIngestApi(deps)], close: () => rateLimit.close() };
}

export function ingestLimits(config: Config): IngestDeps['limits'] {
  return {
    maxEventBytes: config.ANALYTICS_MAX_EVENT_BYTES,
    maxEventsPerRequest: config.ANALYTICS_MAX_EVENTS_PER_REQUEST,
    quarantineRawBytes: config.ANALYTICS_QUARANTINE_RAW_BYTES,
  };
}
