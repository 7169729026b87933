import { WebSocket } from 'ws';
import { FeedClient, type FeedWebSocketConstructor } from '../../feed-client/index.js';

export interface NodeFollower {
  /** When each position arrived (performance.now()). */
  arrivals: Map<string, number>;
  close(): void;
}

/**
 * The same subscription as the page's (posts, from now), held by the
 * package's FeedClient in this process: what the server delivers, without
 * the browser, so the page's lag can be told from the server's.
 */
export async function followPosts(baseUrl: string, token: string): Promise<NodeFollower> {
  const arrivals = new Map<string, number>();
  const client = new FeedClient({ url: baseUrl, token: () => token, WebSocket: WebSocket as unknown as FeedWebSocketConstructor });
  await new Promise<void>((resolve, reject) => {
    client.subscribe({
      filter: { categories: ['post'] },
      from: 'live',
      onEvent: (event) => arrivals.set(event.position, performance.now()),
      onCaughtUp: () => resolve(),
      onError: (error) => reject(new Error(`the follower's subscription was refused: ${error.message}`)),
    });
  });
  return { arrivals, close: () => client.close() };
}
