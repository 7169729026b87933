import type { FeatureApi, FeatureApiContext } from '../../app/feature.js';
import { AuthenticationCache } from '../../auth/cache/authentication-cache.js';
import { AuthenticationCacheListener } from '../../auth/cache/authentication-cache-listener.js';
import { accountApi } from '../auth/account-routes.js';
import { apiKeysApi } from '../auth/api-key-routes.js';
import { authApi } from '../auth/auth-routes.js';
import { emailApi } from '../auth/email-routes.js';
import { invitationsApi } from '../auth/invitation-routes.js';
import { oidcApi } from '../auth/oidc-routes.js';
import { rolesApi } from '../auth/role-routes.js';
import { userAdminApi } from '../auth/user-admin-routes.js';
import { createIdentity, type IdentityOverrides } from './create-identity.js';

/** Identity's part in a process serving HTTP: its routes, and the authenticator every feature's requests go through. */
export async function identityHttp(context: FeatureApiContext, overrides: IdentityOverrides): Promise<FeatureApi> {
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
}
