/**
 * The live feed's wire protocol as a client sees it (CONTRACT.md section 4).
 * Written out here rather than imported from the server, so the client
 * carries none of the server's code (it also runs in browsers).
 */

/** Each part given narrows: an event must be in one of the categories, of one of the types and in one of the streams. */
export interface FeedFilter {
  categories?: readonly string[];
  eventTypes?: readonly string[];
  streams?: readonly string[];
}

/** `live`, `start`, or the last position received (exclusive). */
export type FeedFrom = string;

export interface FeedEvent {
  subscription: string;
  /** The event's global position: a decimal string (it can exceed 2^53). */
  position: string;
  stream: string;
  revision: string;
  eventType: string;
  data: Record<string, unknown>;
  metadata: Record<string, unknown>;
  recordedAt: string;
}

export interface FeedErrorMessage {
  code: string;
  message: string;
  subscription?: string;
}

export type ServerMessage =
  | ({ type: 'event' } & FeedEvent)
  | { type: 'subscribed'; id: string }
  | { type: 'caught-up'; subscription: string; position: string | null }
  | ({ type: 'error' } & FeedErrorMessage);

/** Close codes the server uses (README, "Live feed"). */
export const FEED_CLOSE_CODES = {
  goingAway: 1001,
  tooBig: 1009,
  sessionEnded: 4001,
  slowConsumer: 4008,
  tooManyConnections: 4009,
} as const;
