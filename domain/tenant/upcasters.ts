import type { StoredEventData, Upcaster } from '../shared/upcasting.js';
import { API_KEY_SCOPES } from './api-key-scopes.js';

/**
 * ApiKeyIssued v1 → v2: keys issued before scopes existed could do whatever
 * an API key could, so they read as holding every scope and keep their powers.
 */
export const apiKeyIssuedV1ToV2: Upcaster = {
  type: 'ApiKeyIssued',
  fromVersion: 1,
  upcast(data: StoredEventData): StoredEventData {
    return { ...data, scopes: Array.isArray(data.scopes) ? data.scopes : [...API_KEY_SCOPES] };
  },
};

export const tenantUpcasters: readonly Upcaster[] = [apiKeyIssuedV1ToV2];

/** The versions the tenant aggregate writes and its upcasters reach. */
export const TENANT_EVENT_VERSIONS = { ApiKeyIssued: 2 } as const;
