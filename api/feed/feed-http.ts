import type { FeatureApi, FeatureApiContext } from '../../app/feature.js';
import { activeSessionIds } from '../../auth/sessions/session-store.js';
import type { EventFilter } from '../../infra/event-store/event-store.js';
import { clientAddressOf } from './client-address.js';
import { ConnectionLimits } from './feed-connection-limits.js';
import { FeedHeartbeat } from './feed-heartbeat.js';
import { FeedHub } from './feed-hub.js';
import { FeedMetrics } from './feed-metrics.js';
import { ReaderWatch, type WatchedConnection } from './feed-reader-watch.js';
import type { FeedRightsModel } from './feed-rights-model.js';
import { FeedSocketGuard } from './feed-socket-guard.js';
import { FeedSocketServer } from './feed-socket-server.js';
import { feedSseRoutes } from './feed-sse-route.js';
import { FeedSseServer } from './feed-sse-server.js';

/** Events a catch-up reads per page. */
const CATCH_UP_PAGE = 1_000;
const NO_CONNECTIONS: ReadonlySet<WatchedConnection> = new Set();

/**
 * The feed in a process serving HTTP: one store subscription (the hub), the
 * SSE route, and the WebSocket server attached once HTTP listens.
 */
export function feedHttp(context: FeatureApiContext, newRights: () => FeedRightsModel, rightsFilter: EventFilter | undefined): FeatureApi {
  const { services, runtime } = context;
  const { config, logger, eventStore, upcasters, knex } = services;
  let sockets: FeedSocketServer | undefined;
  let sse: FeedSseServer | undefined;
  const rights = newRights();
  const watch = new ReaderWatch({
    rights,
    connectionsOf: (userId) => unionOf<WatchedConnection>(sockets?.connectionsOf(userId) ?? NO_CONNECTIONS, sse?.connectionsOf(userId) ?? NO_CONNECTIONS),
    open: () => [...(sockets?.open ?? []), ...(sse?.open ?? [])],
    activeSessions: (ids) => activeSessionIds(knex, ids, runtime.now()),
    now: () => runtime.now(),
    intervalMs: config.FEED_AUTH_RECHECK_MS,
    logger,
  });
  const hub = new FeedHub({
    eventStore,
    upcasters,
    rights,
    ...(rightsFilter ? { rightsFilter } : {}),
    logger,
    onUserChanged: (userId) => watch.userChanged(userId),
  });
  hub.start();
  const limits = new ConnectionLimits({ perUser: config.FEED_MAX_CONNECTIONS_PER_USER, perAddress: config.FEED_MAX_CONNECTIONS_PER_IP });
  const clientAddress = clientAddressOf(config.TRUST_PROXY);
  const heartbeat = new FeedHeartbeat(config.FEED_HEARTBEAT_MS);
  const metrics = new FeedMetrics(services.metrics, {
    connections: (transport) => (transport === 'websocket' ? countOf(sockets?.open) : (sse?.size ?? 0)),
    // An SSE stream is one subscription.
    subscriptions: () => sumOf(sockets?.open, (connection) => connection.subscriptionCount) + (sse?.size ?? 0),
  });
  const catchUp = { eventStore, upcasters, logger, pageSize: CATCH_UP_PAGE, maxBufferedEvents: config.FEED_CATCH_UP_BUFFER_EVENTS };
  sse = new FeedSseServer({
    hub,
    limits,
    clientAddress,
    metrics,
    stream: { ...catchUp, maxBufferedBytes: config.FEED_MAX_BUFFERED_BYTES, meter: metrics.meter('sse') },
    heartbeatMs: config.FEED_HEARTBEAT_MS,
    logger,
  });
  const streams = sse;
  return {
    routes: [feedSseRoutes(streams)],
    attach(server, { authenticator }) {
      const started = new FeedSocketServer({
        hub,
        authenticator,
        logger,
        maxMessageBytes: config.FEED_MAX_MESSAGE_BYTES,
        guard: new FeedSocketGuard({ limits, heartbeat, metrics, clientAddress }),
        connection: {
          eventStore,
          upcasters,
          logger,
          pageSize: CATCH_UP_PAGE,
          maxBufferedEvents: config.FEED_CATCH_UP_BUFFER_EVENTS,
          maxSubscriptions: config.FEED_MAX_SUBSCRIPTIONS_PER_SOCKET,
          maxBufferedBytes: config.FEED_MAX_BUFFERED_BYTES,
          meter: metrics.meter('websocket'),
        },
      });
      started.attach(server);
      sockets = started;
      streams.attach(authenticator);
      watch.start();
      heartbeat.start();
      return {
        detach: async () => {
          watch.stop();
          heartbeat.stop();
          streams.close();
          await started.close();
        },
      };
    },
    close: () => hub.close(),
  };
}

function unionOf<T>(a: ReadonlySet<T>, b: ReadonlySet<T>): ReadonlySet<T> {
  return b.size === 0 ? a : a.size === 0 ? b : new Set([...a, ...b]);
}

function countOf(items: Iterable<unknown> | undefined): number {
  let count = 0;
  for (const _ of items ?? []) count++;
  return count;
}

function sumOf<T>(items: Iterable<T> | undefined, value: (item: T) => number): number {
  let sum = 0;
  for (const item of items ?? []) sum += value(item);
  return sum;
}
