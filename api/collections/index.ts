import type { BackgroundService } from '../../infra/process/background-service.js';
import type { FeatureApiContext, FeatureContext } from '../../app/feature.js';
import { collectionAggregate } from '../../commands/collection-aggregate.js';
import { PostRemovalReactor } from '../../commands/post-removal-reactor.js';
import { collectionsReadModel } from '../../projections/collections/collections-read-model.js';
import { postRemovalsDueProjection } from '../../projections/collections/post-removals-due.js';
import type { RouteModule } from '../route-module.js';
import { collectionsApi } from './collection-routes.js';
import { CollectionWrites } from './collection-writes.js';

/** The collections' part of the content feature (api/content/index.ts lists them). */
export const collectionAggregates = [collectionAggregate] as const;
export const collectionProjections = [collectionsReadModel, postRemovalsDueProjection()] as const;

export function collectionRoutes({ services, commands, runtime, readYourWrites, idempotency }: FeatureApiContext): RouteModule {
  const writes = new CollectionWrites({ commands, runtime, eventStore: services.eventStore, knex: services.knex });
  return collectionsApi({ writes, commands, knex: services.knex, readYourWrites, idempotency });
}

/** Deleting a post takes it out of every collection. */
export function collectionBackground({ services, commands }: FeatureContext): BackgroundService[] {
  return [new PostRemovalReactor({ knex: services.knex, commands, logger: services.logger.child({ component: 'post-removals' }) })];
}
