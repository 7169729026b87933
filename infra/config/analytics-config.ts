import { z } from 'zod';

const message = (range: string) => `must be a whole number ${range}`;
function integer(min: number, max = Number.MAX_SAFE_INTEGER) {
  const text = message(max === Number.MAX_SAFE_INTEGER ? `at least ${min}` : `between ${min} and ${max}`);
  return z.coerce.number({ error: text }).int(text).min(min, text).max(max, text);
}

/**
 * Analytics ingest (issue 12; README, "Analytics"): every limit of the
 * Segment-compatible `/v1/*` endpoints and `POST /api/events`.
 */
export const analyticsIngestConfigSchema = {
  /** Largest event, as the client's JSON; larger ones are quarantined in a batch, 413 alone. Segment's limit. */
  // At most half the store's default MAX_EVENT_BYTES: the event's metadata and enrichment travel with it.
  ANALYTICS_MAX_EVENT_BYTES: integer(64, 512 * 1024).default(32 * 1024),
  /** Largest request body, after gzip is undone; larger requests are 413. Segment's batch limit. */
  ANALYTICS_MAX_REQUEST_BYTES: integer(1024, 32 * 1024 * 1024).default(500 * 1024),
  /** Most events in one request (one append; the event store takes at most 10,000): more is 413. */
  ANALYTICS_MAX_EVENTS_PER_REQUEST: integer(1, 9_999).default(5_000),
  /** How much of a quarantined event's JSON text is kept with it. */
  ANALYTICS_QUARANTINE_RAW_BYTES: integer(256, 1024 * 1024).default(16 * 1024),
  /** Events one API key (or user) may send per window; over it, 429 with Retry-After. */
  ANALYTICS_RATE_LIMIT_EVENTS_PER_KEY: integer(1).default(1_000_000),
  ANALYTICS_RATE_LIMIT_EVENTS_PER_KEY_WINDOW_SECONDS: integer(1).default(60),
};
