/** A server the feed bench measures: Chronicle's feed, or the raw `ws` broadcast it is held against. */
export interface FeedSubject {
  readonly name: string;
  /** The WebSocket URL clients connect to. */
  readonly feedUrl: string;
  /** The server's process, whose resident memory is measured. */
  readonly pid: number;
  /** Credentials for the sockets, used in turn (socket i gets token i mod length). */
  readonly tokens: readonly (string | null)[];
  /** What each socket sends once open: every event its reader may read, from now on. */
  readonly subscribe: string;
  /**
   * One message per seq, message i at start + i × intervalMs; when each was
   * sent and, when the subject acknowledges writes, acknowledged, and how
   * many writes had to wait for an earlier one (the pace was not kept).
   */
  steady(seqs: readonly number[], intervalMs: number): Promise<{ sentAt: Float64Array; ackedAt?: Float64Array; delayed?: number }>;
  /** One message per seq, as fast as the subject takes them; when the first one was started. */
  burst(seqs: readonly number[]): Promise<number>;
  stop(): Promise<void>;
}

/** The one subscription every bench socket holds: no filter, from the live end. */
export const SUBSCRIBE_EVERYTHING = JSON.stringify({ type: 'subscribe', id: 's1', filter: {}, from: 'live' });
export const SUBSCRIPTION_ID = 's1';
