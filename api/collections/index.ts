import type { BackgroundService } from '../../infra/process/background-service.js';
import type { FeatureContext } from '../../app/feature.js';
import { collectionAggregate } from '../../commands/collection-aggregate.js';
import { PostRemovalReactor } from '../../commands/post-removal-reactor.js';
import { collectionsReadModel } from '../../projections/collections/collections-read-model.js';
import { postRemovalsDueProjection } from '../../projections/collections/post-removals-due.js';

/** The collections' part of the content feature (api/content/index.ts lists them; their routes are in api/content/content-http.ts). */
export const collectionAggregates = [collectionAggregate] as const;
export const collectionProjections = [collectionsReadModel, postRemovalsDueProjection()] as const;

/** Deleting a post takes it out of every collection. */
export function collectionBackground({ services, commands }: FeatureContext): BackgroundService[] {
  return [new PostRemovalReactor({ knex: services.knex, commands, logger: services.logger.child({ component: 'post-removals' }) })];
}
