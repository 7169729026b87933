import type { FeatureApiContext } from '../../app/feature.js';
import { postAggregate } from '../../commands/post-aggregate.js';
import { postUpcasters } from '../../domain/post/index.js';
import { postReads } from '../../projections/posts/post-queries.js';
import { postsReadModel } from '../../projections/posts/posts-read-model.js';
import type { RouteModule } from '../route-module.js';
import { postsApi } from './post-routes.js';

/** The posts' part of the content feature (api/content/index.ts lists them). */
export const postAggregates = [postAggregate] as const;
export { postUpcasters };
export const postProjections = [postsReadModel()] as const;

export function postRoutes({ services, commands, runtime, readYourWrites, idempotency }: FeatureApiContext): RouteModule {
  return postsApi({ commands, runtime, reads: postReads(services.knex), readYourWrites, idempotency });
}
