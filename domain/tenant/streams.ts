import { streamName } from '../shared/events.js';

export const TENANT_CATEGORY = 'tenant';

export function tenantStream(tenantId: string): string {
  return streamName(TENANT_CATEGORY, tenantId);
}
