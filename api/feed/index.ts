import type { Feature } from '../../app/feature.js';
import { activeSessionIds } from '../../auth/sessions/session-store.js';
import type { EventFilter } from '../../infra/event-store/event-store.js';
import { FEED_RIGHTS_FILTER, FeedRights } from '../../projections/feed-rights/index.js';
import type { FeedConnection } from './feed-connection.js';
import { FeedHub } from './feed-hub.js';
import { ReaderWatch } from './feed-reader-watch.js';
import type { FeedRightsModel } from './feed-rights-model.js';
import { FeedSocketServer } from './feed-socket-server.js';

export interface FeedFeatureOptions {
  /** A new, empty rights model: the hub folds the log into it. FeedRights unless told. */
  rights?: () => FeedRightsModel;
  /** The events that model needs folded at start (undefined: the whole log); FEED_RIGHTS_FILTER with FeedRights. */
  rightsFilter?: EventFilter;
}

/** Events a catch-up reads per page. */
const CATCH_UP_PAGE = 1_000;
const NO_CONNECTIONS: ReadonlySet<FeedConnection> = new Set();

/**
 * The live feed: `GET /feed` over WebSocket, fed by one store subscription
 * per API process (the hub), every event decided against the reader's
 * rights in memory (CONTRACT.md section 4; README, "Live feed").
 */
export function feedFeature(options: FeedFeatureOptions = { rights: () => new FeedRights(), rightsFilter: FEED_RIGHTS_FILTER }): Feature {
  const newRights = options.rights ?? (() => new FeedRights());
  return {
    name: 'feed',
    api(context) {
      const { services, runtime } = context;
      const { config, logger, eventStore, upcasters, knex } = services;
      let sockets: FeedSocketServer | undefined;
      const rights = newRights();
      const watch = new ReaderWatch({
        rights,
        connectionsOf: (userId) => sockets?.connectionsOf(userId) ?? NO_CONNECTIONS,
        open: () => sockets?.open ?? [],
        activeSessions: (ids) => activeSessionIds(knex, ids, runtime.now()),
        now: () => runtime.now(),
        intervalMs: config.FEED_AUTH_RECHECK_MS,
        logger,
      });
      const hub = new FeedHub({
        eventStore,
        upcasters,
        rights,
        ...(options.rightsFilter ? { rightsFilter: options.rightsFilter } : {}),
        logger,
        onUserChanged: (userId) => watch.userChanged(userId),
      });
      hub.start();
      return {
        routes: [],
        attach(server, { authenticator }) {
          const started = new FeedSocketServer({
            hub,
            authenticator,
            logger,
            maxMessageBytes: config.FEED_MAX_MESSAGE_BYTES,
            connection: {
              eventStore,
              upcasters,
              logger,
              pageSize: CATCH_UP_PAGE,
              maxBufferedEvents: config.FEED_CATCH_UP_BUFFER_EVENTS,
              maxSubscriptions: config.FEED_MAX_SUBSCRIPTIONS_PER_SOCKET,
              maxBufferedBytes: config.FEED_MAX_BUFFERED_BYTES,
            },
          });
          started.attach(server);
          sockets = started;
          watch.start();
          return {
            detach: async () => {
              watch.stop();
              await started.close();
            },
          };
        },
        close: () => hub.close(),
      };
    },
  };
}
