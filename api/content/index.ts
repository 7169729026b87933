import type { Feature } from '../../app/feature.js';
import { collectionAggregates, collectionBackground, collectionProjections, collectionRoutes } from '../collections/index.js';

/**
 * Content: posts and collections, one feature (they share their rules: a
 * post is readable through a collection that holds it).
 */
export function contentFeature(): Feature {
  return {
    name: 'content',
    aggregates: [...collectionAggregates],
    projections: [...collectionProjections],
    api: (context) => ({ routes: [collectionRoutes(context)] }),
    background: (context) => collectionBackground(context),
  };
}
