/** The live feed's TypeScript client, exported by the package as `chronicle/feed-client` (README, "Live feed"). */
export { FeedClient, FeedClientError, type FeedClientOptions, type FeedClientState, type FeedSubscriptionHandle, type FeedWebSocket, type FeedWebSocketConstructor, type SubscribeOptions } from './feed-client.js';
export { Backoff, type BackoffOptions } from './backoff.js';
export { FEED_CLOSE_CODES, type FeedErrorMessage, type FeedEvent, type FeedFilter, type FeedFrom } from './messages.js';
