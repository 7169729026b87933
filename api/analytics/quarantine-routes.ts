import { listQuarantine } from '../../projections/analytics-quarantine/quarantine-queries.js';
import { ANALYTICS_QUARANTINE } from '../../projections/analytics-quarantine/quarantine-read-model.js';
import { pageRequest } from '../pagination.js';
import { minPositionHeaderSchema } from '../read-your-writes.js';
import { defineRoute } from '../route.js';
import { routeModule, type RouteModule } from '../route-module.js';
import { analyticsTenantOf } from './analytics-reader.js';
import { quarantineRetryRoute, type QuarantineRetryDeps } from './quarantine-retry-route.js';
import { quarantineListQuerySchema, quarantinePageSchema } from './quarantine-schemas.js';
import { quarantineEntryView } from './quarantine-views.js';

export type QuarantineApiDeps = QuarantineRetryDeps;

const tags = ['analytics'];

/** The events refused at ingest, and their retry once corrected (README, "Analytics queries"). */
export function quarantineApi(deps: QuarantineApiDeps): RouteModule {
  return routeModule('analytics-quarantine', [
    defineRoute({
      method: 'get', path: '/api/analytics/quarantine', tags, auth: 'required', apiKeyScope: 'read',
      summary: 'The events refused at ingest, newest first, with their reasons and raw text',
      description: 'Admins of the tenant, or an API key with the read scope. `X-Min-Position` (an ingest answer’s position) waits until the list has it.',
      request: { query: quarantineListQuerySchema, headers: minPositionHeaderSchema },
      responses: { 200: { schema: quarantinePageSchema, description: 'A page of quarantined events' } },
      errors: [403, 503, 504],
      async handler({ query, principal, req }) {
        const tenantId = analyticsTenantOf(principal);
        await deps.readYourWrites(req, [ANALYTICS_QUARANTINE]);
        const page = await listQuarantine(deps.knex, tenantId, { status: query.status }, pageRequest(query));
        return { status: 200, body: { items: page.items.map(quarantineEntryView), nextCursor: page.nextCursor } };
      },
    }),
    quarantineRetryRoute(deps),
  ]);
}
