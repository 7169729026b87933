import type { AnalyticsEnrichment } from '../../domain/analytics/events.js';

/** What ingest derives from where an event came from: user agent parsed, address truncated (or kept), country. */
export interface Enricher {
  enrich(source: { ip: string | null; userAgent: string | null }): AnalyticsEnrichment;
}

/** Knows nothing: every field null (no address is kept, truncated or not). */
export const noEnrichment: Enricher = {
  enrich: () => ({ browser: null, os: null, device: null, ipTruncated: null, country: null }),
};

export interface EnrichmentParts {
  parseUserAgent(userAgent: string | null): Pick<AnalyticsEnrichment, 'browser' | 'os' | 'device'>;
  truncateIp(ip: string | null, keepFull: boolean): string | null;
  /** Looked up on the whole address, before it is truncated. */
  country(ip: string | null): string | null;
  /** ANALYTICS_KEEP_FULL_IP. */
  keepFullIp: boolean;
}

/** Distinct user agents remembered: a batch's events mostly share one, and parsing is the costly part. */
const USER_AGENTS_REMEMBERED = 1_000;
const MAX_USER_AGENT_KEY = 512;

export function enricherOf(parts: EnrichmentParts): Enricher {
  const parsed = new Map<string, Pick<AnalyticsEnrichment, 'browser' | 'os' | 'device'>>();
  const userAgentOf = (userAgent: string | null) => {
    if (userAgent === null) return parts.parseUserAgent(null);
    // Real user agents are a few hundred characters; a hostile one is not remembered whole.
    const key = userAgent.slice(0, MAX_USER_AGENT_KEY);
    let known = parsed.get(key);
    if (!known) {
      if (parsed.size >= USER_AGENTS_REMEMBERED) parsed.clear();
      known = parts.parseUserAgent(key);
      parsed.set(key, known);
    }
    return known;
  };
  return {
    enrich: ({ ip, userAgent }) => ({ ...userAgentOf(userAgent), ipTruncated: parts.truncateIp(ip, parts.keepFullIp), country: parts.country(ip) }),
  };
}
