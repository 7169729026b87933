import { adminProjectionsApi } from '../api/admin/projections-routes.js';
import type { Authenticator } from '../api/authentication.js';
import { Unauthorized } from '../api/errors.js';
import type { RouteModule } from '../api/route-module.js';
import type { FeatureApi, FeatureApiContext } from './feature.js';
import { InvalidFeaturesError } from './feature-checks.js';
import { logCounter } from './log-counter.js';
import type { Runtime } from './runtime.js';

export interface FeatureApis {
  /** Every feature's route modules in the order of the feature list, then the platform's own. */
  routes: RouteModule[];
  authenticator?: Authenticator;
  /** The features that attach to the listening HTTP server, by name. */
  attachments: Array<{ name: string; attach: NonNullable<FeatureApi['attach']> }>;
}

/**
 * Builds each feature's API, registered in `runtime` so that it is closed
 * after HTTP (started later) has drained its requests.
 */
export async function startFeatureApis(runtime: Runtime, context: FeatureApiContext): Promise<FeatureApis> {
  const { services } = context;
  const routes: RouteModule[] = [];
  let authenticator: Authenticator | undefined;
  const attachments: FeatureApis['attachments'] = [];
  // Handed to every feature before the one that authenticates has been built: it asks that one at each call.
  const installed = (): Authenticator => {
    if (!authenticator) throw new Unauthorized('no feature of this installation verifies credentials', { code: 'unauthenticated' });
    return authenticator;
  };
  const featureContext: FeatureApiContext = {
    ...context,
    authenticator: {
      authenticate: (token) => installed().authenticate(token),
      authenticateApiKey: (key, report) => installed().authenticateApiKey(key, report),
    },
  };
  for (const feature of services.features) {
    if (!feature.api) continue;
    const api = await runtime.start(`feature ${feature.name}`, async () => feature.api!(featureContext), async (started) => {
      await started.close?.();
    });
    routes.push(...api.routes);
    if (api.attach) attachments.push({ name: feature.name, attach: api.attach.bind(api) });
    if (api.authenticator) {
      if (authenticator) throw new InvalidFeaturesError(`two features authenticate requests; ${feature.name} is the second`);
      authenticator = api.authenticator;
    }
  }
  routes.push(adminProjectionsApi({ ...services, counter: logCounter(services) }));
  return { routes, attachments, ...(authenticator ? { authenticator } : {}) };
}
