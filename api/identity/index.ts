import type { Feature } from '../../app/feature.js';
import { identityHousekeeping } from '../../auth/housekeeping/housekeeping-service.js';
import { authMigrations } from '../../auth/schema.js';
import { identityAggregates } from '../../commands/identity/aggregates.js';
import { tenantUpcasters } from '../../domain/tenant/upcasters.js';
import { tenantDirectoryProjection } from '../../projections/identity/tenant-directory.js';
import type { IdentityOverrides } from './create-identity.js';

/**
 * Identity: accounts, sessions, tokens, API keys, OIDC, roles and tenant
 * administration. It authenticates every feature's requests.
 */
export function identityFeature(overrides: IdentityOverrides = {}): Feature {
  return {
    name: 'identity',
    migrations: authMigrations,
    aggregates: identityAggregates,
    upcasters: tenantUpcasters,
    projections: [tenantDirectoryProjection()],
    // Loaded only by processes that serve HTTP: a CLI command connects the read models without the routes.
    api: async (context) => (await import('./identity-http.js')).identityHttp(context, overrides),
    background: ({ services: { knex, config, logger } }) => [
      identityHousekeeping(knex, { intervalMs: config.AUTH_SWEEP_INTERVAL_MS, reuseDetectionSeconds: config.REFRESH_TOKEN_REUSE_DETECTION_SECONDS }, logger),
    ],
  };
}
