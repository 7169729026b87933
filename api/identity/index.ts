import type { Feature } from '../../app/feature.js';
import { identityHousekeeping } from '../../auth/housekeeping/housekeeping-service.js';
import { authMigrations } from '../../auth/schema.js';
import { AuthenticationCache } from '../../auth/cache/authentication-cache.js';
import { AuthenticationCacheListener } from '../../auth/cache/authentication-cache-listener.js';
import { identityAggregates } from '../../commands/identity/aggregates.js';
import { tenantUpcasters } from '../../domain/tenant/upcasters.js';
import { tenantDirectoryProjection } from '../../projections/identity/tenant-directory.js';
import { accountApi } from '../auth/account-routes.js';
import { apiKeysApi } from '../auth/api-key-routes.js';
import { authApi } from '../auth/auth-routes.js';
import { emailApi } from '../auth/email-routes.js';
import { invitationsApi } from '../auth/invitation-routes.js';
import { oidcApi } from '../auth/oidc-routes.js';
import { rolesApi } from '../auth/role-routes.js';
import { userAdminApi } from '../auth/user-admin-routes.js';
import { createIdentity, type IdentityOverrides } from './create-identity.js';

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
    async api(context) {
      const { config, eventStore, databaseUrl, logger } = context.services;
      // An event log outside PostgreSQL fires no trigger on a user's append: users are then read on every request.
      const authenticationCache = new AuthenticationCache(eventStore.kind === 'postgres');
      const cacheListener = new AuthenticationCacheListener(authenticationCache, { connectionString: databaseUrl, logger: logger.child({ component: 'auth-cache' }) });
      await cacheListener.start();
      const identity = await createIdentity(context, overrides, { authenticationCache }).catch(async (error: unknown) => {
        await cacheListener.stop();
        throw error;
      });
      const directoryReads = { knex: context.services.knex, readYourWrites: context.readYourWrites, now: () => context.runtime.now() };
      return {
        routes: [
          authApi(identity),
          emailApi(identity),
          oidcApi(identity, config.oidcProviders),
          accountApi(identity),
          invitationsApi(identity, directoryReads),
          rolesApi(identity),
          userAdminApi(identity, directoryReads),
          apiKeysApi(identity),
        ],
        authenticator: identity,
        close: async () => {
          await identity.close();
          await cacheListener.stop();
        },
      };
    },
    background: ({ services: { knex, config, logger } }) => [
      identityHousekeeping(knex, { intervalMs: config.AUTH_SWEEP_INTERVAL_MS, reuseDetectionSeconds: config.REFRESH_TOKEN_REUSE_DETECTION_SECONDS }, logger),
    ],
  };
}
