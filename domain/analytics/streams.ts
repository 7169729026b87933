import { streamName } from '../shared/events.js';

/** One stream per accepted ingest request: its received and rejected events, and a quarantine retry's. */
export const INGEST_CATEGORY = 'ingest';
/** One stream per tenant: its AnomalyDetected events. */
export const ANOMALY_CATEGORY = 'anomaly';

export function ingestStream(requestStreamId: string): string {
  return streamName(INGEST_CATEGORY, requestStreamId);
}

export function anomalyStream(tenantId: string): string {
  return streamName(ANOMALY_CATEGORY, tenantId);
}

/** For projections' filters: every ingest stream, every anomaly stream. */
export const INGEST_STREAM_PREFIX = `${INGEST_CATEGORY}-`;
export const ANOMALY_STREAM_PREFIX = `${ANOMALY_CATEGORY}-`;
