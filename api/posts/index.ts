import { postAggregate } from '../../commands/post-aggregate.js';
import { postUpcasters } from '../../domain/post/index.js';
import { postsReadModel } from '../../projections/posts/posts-read-model.js';

/** The posts' part of the content feature (api/content/index.ts lists them; their routes are in api/content/content-http.ts). */
export const postAggregates = [postAggregate] as const;
export { postUpcasters };
export const postProjections = [postsReadModel()] as const;
