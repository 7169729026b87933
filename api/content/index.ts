import type { Feature } from '../../app/feature.js';
import { collectionAggregates, collectionBackground, collectionProjections } from '../collections/index.js';
import { postAggregates, postProjections, postUpcasters } from '../posts/index.js';

/**
 * Content: posts and collections, and who reads and changes what
 * (docs/CONTRACT.md section 3). Each part keeps its code in the layer
 * folders (`domain/post/`, `projections/posts/`, `api/posts/`, and the same
 * for collections) and lists its pieces here.
 */
export function contentFeature(): Feature {
  return {
    name: 'content',
    aggregates: [...postAggregates, ...collectionAggregates],
    upcasters: [...postUpcasters],
    projections: [...postProjections, ...collectionProjections],
    // Loaded only by processes that serve HTTP: a CLI command connects the read models without the routes.
    api: async (context) => (await import('./content-http.js')).contentHttp(context),
    // Deleting a post takes it out of every collection.
    background: (context) => collectionBackground(context),
  };
}
