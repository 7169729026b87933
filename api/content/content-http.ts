import type { FeatureApi, FeatureApiContext } from '../../app/feature.js';
import { postReads } from '../../projections/posts/post-queries.js';
import { collectionsApi } from '../collections/collection-routes.js';
import { CollectionWrites } from '../collections/collection-writes.js';
import { postsApi } from '../posts/post-routes.js';

/** Content's part in a process serving HTTP: the posts' and the collections' routes. */
export function contentHttp({ services, commands, runtime, readYourWrites, idempotency }: FeatureApiContext): FeatureApi {
  const { knex, eventStore } = services;
  const collectionWrites = new CollectionWrites({ commands, runtime, eventStore, knex });
  return {
    routes: [
      postsApi({ commands, runtime, reads: postReads(knex), readYourWrites, idempotency }),
      collectionsApi({ writes: collectionWrites, commands, knex, readYourWrites, idempotency }),
    ],
  };
}
