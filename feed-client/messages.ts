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

/** Close codes the server uses (README, "Live feed"); the server imports them from here, so both sides agree. */
export const FEED_CLOSE_CODES = {
  /** The process is shutting down: reconnect (elsewhere) and resume. */
  goingAway: 1001,
  /** A message over FEED_MAX_MESSAGE_BYTES (set by `ws` itself). */
  tooBig: 1009,
  /** The session ended, the user was disabled, the token expired or the API key was revoked: new credential, then resume. */
  sessionEnded: 4001,
  /** The client could not keep up: resume from the last position received. */
  slowConsumer: 4008,
  /** Over a connection limit: back off, then reconnect. */
  tooManyConnections: 4009,
} as const;
