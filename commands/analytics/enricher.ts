import type { AnalyticsEnrichment } from '../../domain/analytics/events.js';

/** What ingest derives from where an event came from: user agent parsed, address truncated (or kept), country. */
export interface Enricher {
  enrich(source: { ip: string | null; userAgent: string | null }): AnalyticsEnrichment;
}

/** Knows nothing: every field null (no address is kept, truncated or not). */
export const noEnrichment: Enricher = {
  enrich: () => ({ browser: null, os: null, device: null, ipTruncated: null, country: null }),
};
