import { z } from 'zod';

const booleanFlag = z.enum(['true', 'false', '1', '0'], { error: 'must be true or false' }).transform((text) => text === 'true' || text === '1');

/**
 * Analytics enrichment at ingest (issue 12; README, "Analytics"): what is
 * kept of the client's address and where its country comes from.
 */
export const analyticsEnrichmentConfigSchema = {
  /** Keep the client's whole address instead of its /24 (IPv4) or /48 (IPv6): a privacy decision, off by default. */
  ANALYTICS_KEEP_FULL_IP: booleanFlag.default(false),
  /** A MaxMind DB (.mmdb: GeoLite2/GeoIP2 Country or City) the operator provides; unset, no country is recorded. */
  ANALYTICS_GEOIP_DB: z.string().min(1, 'must be a path to an .mmdb file').optional(),
};
