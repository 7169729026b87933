import type { FeatureApi, FeatureApiContext } from '../../app/feature.js';
import { anomalyRoutes } from './anomaly-routes.js';
import { ingestDepsOf, ingestRoutes } from './ingest.js';
import { analyticsQueryRoutes } from './query-feature-part.js';

/** Analytics' part in a process serving HTTP: ingest, the queries, the export, the quarantine and the anomalies. */
export async function analyticsHttp(context: FeatureApiContext): Promise<FeatureApi> {
  const ingest = await ingestDepsOf(context);
  const ingestApi = ingestRoutes(context, ingest);
  return {
    routes: [...ingestApi.routes, ...analyticsQueryRoutes(context, ingest), anomalyRoutes(context.services.knex, context.readYourWrites)],
    close: () => ingestApi.close(),
  };
}
