import { requireTenantAdmin } from '../../auth/policies.js';
import type { Principal } from '../../auth/principal.js';

/**
 * Whose analytics the caller reads: always its own tenant's. An API key
 * reads with the `read` scope (or `admin`; defineRoute's `apiKeyScope`
 * refuses others with 403 `insufficient_scope`, an ingest-only write key
 * included); a
 * person must be an admin of the tenant (403 `admin_required` otherwise):
 * the facts carry user ids and properties, and the console's analytics page
 * is an admin page. Members see none of it.
 */
export function analyticsTenantOf(principal: Principal): string {
  if (principal.kind === 'apiKey') return principal.tenantId;
  return requireTenantAdmin(principal, principal.tenantId).tenantId;
}
