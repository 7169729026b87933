import { nameUuids } from '../shared/name-uuid.js';

/** The analytics events' own UUID v5 namespace. */
const ANALYTICS_NAMESPACE = '3b0f6d0e-5c57-4f51-a0f7-8f6f3c9e2d14';
const analyticsUuid = nameUuids(ANALYTICS_NAMESPACE);

/**
 * The id of the AnalyticsEventReceived of one (tenant, messageId): the same
 * on every retry, so the store recognises a message appended again.
 */
export function receivedEventId(tenantId: string, messageId: string): string {
  return analyticsUuid(`${tenantId}\n${messageId}`);
}

/** The id of one anomaly: a replay or a second worker finds it recorded and appends nothing. */
export function anomalyEventId(tenantId: string, event: string, minute: string, kind: 'spike' | 'drop'): string {
  return analyticsUuid(`anomaly\n${tenantId}\n${event}\n${minute}\n${kind}`);
}
