import type { RouteModule } from '../api/route-module.js';
import { adminProjectionsApi } from '../api/admin/projections-routes.js';
import { accountApi } from '../api/auth/account-routes.js';
import { apiKeysApi } from '../api/auth/api-key-routes.js';
import { authApi } from '../api/auth/auth-routes.js';
import { emailApi } from '../api/auth/email-routes.js';
import { invitationsApi } from '../api/auth/invitation-routes.js';
import { oidcApi } from '../api/auth/oidc-routes.js';
import { rolesApi } from '../api/auth/role-routes.js';
import { userAdminApi } from '../api/auth/user-admin-routes.js';
import { postsApi } from '../api/posts/post-routes.js';
import type { IdentityService } from '../auth/identity-service.js';
import { CommandHandler } from '../commands/command-handler.js';
import { systemRuntime } from '../commands/runtime.js';
import { postReads } from '../projections/posts/post-queries.js';
import { createIdempotency } from './idempotency.js';
import { logCounter } from './log-counter.js';
import type { ReadSide } from './read-side.js';
import type { Services } from './services.js';

/** What an API process has started beside the shared services, for the routes. */
export interface ApiSide {
  readonly readSide: ReadSide;
  readonly identity: IdentityService;
}

/**
 * Every feature's HTTP routes, in mounting order. A feature adds one line here:
 * `postsApi(services.eventStore, postsReadModel(services.knex), systemClock)`.
 * Health, metrics, /openapi.json and /docs are mounted by the HTTP app itself.
 */
export function featureRouteModules(services: Services, api: ApiSide): RouteModule[] {
  const { identity } = api;
  const directoryReads = { knex: services.knex, readYourWrites: api.readSide.readYourWrites, now: () => new Date() };
  return [
    authApi(identity),
    emailApi(identity),
    oidcApi(identity, services.config.oidcProviders),
    accountApi(identity),
    invitationsApi(identity, directoryReads),
    rolesApi(identity),
    userAdminApi(identity, directoryReads),
    apiKeysApi(identity),
    adminProjectionsApi({ ...services, counter: logCounter(services) }),
    postsApi({
      commands: new CommandHandler({ eventStore: services.eventStore, runtime: systemRuntime() }),
      eventStore: services.eventStore,
      runtime: systemRuntime(),
      reads: postReads(services.knex),
      readYourWrites: api.readSide.readYourWrites,
      idempotency: createIdempotency(services),
    }),
  ];
}
