import { z } from 'zod';
import { ValidationError } from '../errors.js';
import { defineRoute } from '../route.js';
import { routeModule, type RouteModule } from '../route-module.js';
import { CompiledFeedFilter } from './feed-filter.js';
import { clientMessageSchema, describeIssues } from './feed-protocol.js';
import type { FeedSseServer } from './feed-sse-server.js';
import { SSE_SUBSCRIPTION_ID } from './feed-sse-stream.js';

export const FEED_SSE_PATH = '/feed/sse';

const commaList = (what: string) => z.string().optional().describe(`${what}, separated by commas`);

const querySchema = z.object({
  categories: commaList('Categories (the part of a stream name before its first `-`)'),
  eventTypes: commaList('Event types'),
  streams: commaList('Stream names'),
  from: z.string().optional().describe('`live` (the default), `start`, or the last position received (exclusive); `Last-Event-ID` takes precedence'),
  access_token: z.string().optional().describe('The access token or API key, for clients that cannot set headers (EventSource)'),
});

const headersSchema = z.object({
  'last-event-id': z.string().optional().describe('Sent by a reconnecting EventSource: the last position received; the stream resumes right after it'),
});

/**
 * `GET /feed/sse`: the live feed as Server-Sent Events, for clients that
 * cannot speak WebSocket. One subscription per stream, with the socket's
 * filters (comma-separated lists), `from`, rights and seam; its
 * authentication is the socket's (Bearer, X-Api-Key or `access_token`), so
 * the module asks nothing of the authentication middleware.
 */
export function feedSseRoutes(streams: FeedSseServer): RouteModule {
  return routeModule('feed-sse', [
    defineRoute({
      method: 'get',
      path: FEED_SSE_PATH,
      tags: ['feed'],
      auth: 'none',
      summary: 'The live feed as Server-Sent Events',
      description:
        'Each message\'s `data` is the message the WebSocket feed sends (`subscribed`, `event`, `caught-up`, `error`, under the subscription id `sse`). ' +
        'Events and `caught-up` carry their position as the event id, so a reconnecting EventSource resumes exactly after the last one through `Last-Event-ID`. ' +
        'A comment line every FEED_HEARTBEAT_MS; when the server ends the stream it sends a last `close` event `{code, reason}` with the WebSocket close code. ' +
        'The credential goes in `Authorization: Bearer`, `X-Api-Key` or `access_token`; none reads as a guest.',
      request: { query: querySchema, headers: headersSchema },
      responses: { 200: { description: 'The event stream (never ends by itself)', schema: z.string(), contentType: 'text/event-stream' } },
      errors: [401, 429, 503],
      async handler({ query, headers, req, res }) {
        const subscribe = clientMessageSchema.safeParse({
          type: 'subscribe',
          id: SSE_SUBSCRIPTION_ID,
          filter: {
            ...listOf('categories', query.categories),
            ...listOf('eventTypes', query.eventTypes),
            ...listOf('streams', query.streams),
          },
          from: headers['last-event-id'] ?? query.from ?? 'live',
        });
        if (!subscribe.success || subscribe.data.type !== 'subscribe') {
          const where = headers['last-event-id'] !== undefined && subscribe.error?.issues[0]?.path[0] === 'from' ? 'Last-Event-ID' : 'query';
          throw new ValidationError(`${where}: ${subscribe.error ? describeIssues(subscribe.error) : 'invalid'}`, { status: 400, code: where === 'query' ? 'invalid_query' : 'invalid_headers' });
        }
        await streams.serve(req, res, new CompiledFeedFilter(subscribe.data.filter), subscribe.data.from);
      },
    }),
  ]);
}

function listOf(name: string, text: string | undefined): Record<string, string[]> {
  return text === undefined ? {} : { [name]: text.split(',') };
}
