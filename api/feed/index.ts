import type { Feature } from '../../app/feature.js';
import type { EventFilter } from '../../infra/event-store/event-store.js';
import { FEED_RIGHTS_FILTER, FeedRights } from '../../projections/feed-rights/index.js';
import type { FeedRightsModel } from './feed-rights-model.js';

export interface FeedFeatureOptions {
  /** A new, empty rights model: the hub folds the log into it. FeedRights unless told. */
  rights?: () => FeedRightsModel;
  /** The events that model needs folded at start (undefined: the whole log); FEED_RIGHTS_FILTER with FeedRights. */
  rightsFilter?: EventFilter;
}

/**
 * The live feed: `GET /feed` over WebSocket, fed by one store subscription
 * per API process (the hub), every event decided against the reader's
 * rights in memory (CONTRACT.md section 4; README, "Live feed").
 */
export function feedFeature(options: FeedFeatureOptions = { rights: () => new FeedRights(), rightsFilter: FEED_RIGHTS_FILTER }): Feature {
  const newRights = options.rights ?? (() => new FeedRights());
  return {
    name: 'feed',
    // Loaded only by processes that serve HTTP (feed-http.ts): a CLI command has no feed.
    api: async (context) => (await import('./feed-http.js')).feedHttp(context, newRights, options.rightsFilter),
  };
}
