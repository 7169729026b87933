/** The calls a client process (client-process.ts) answers; shared by it and the fleet that drives it. */

export interface ConnectRequest {
  /** Sockets are held in named groups (one per server), so two servers' clients can be held at once. */
  group: string;
  url: string;
  /** One socket per entry: its bearer token, or null for a guest. */
  tokens: readonly (string | null)[];
  /** Sent once open; the socket counts as connected once the subscription is live (its `caught-up`). Null: connected on open. */
  subscribe: string | null;
  /** Handshakes in flight at once in this process. */
  concurrency: number;
}

export interface ConnectResult {
  opened: number;
  failed: number;
  /** A few distinct reasons, for the report. */
  errors: string[];
}

/** What arrived since `record`: every marked message's seq and arrival time, in arrival order per socket. */
export interface ClientReport {
  seqs: Float64Array;
  times: Float64Array;
  messages: number;
  bytes: number;
  /** Messages without a mark (other events the server sent, control messages). */
  unmarked: number;
  /** Close codes seen since `record`, by code. */
  closes: Record<string, number>;
  /** Open sockets per group, now. */
  open: Record<string, number>;
  /** This process's resident memory now, bytes. */
  rss: number;
  /** CPU time this process used since `record`, ms. */
  cpuMs: number;
}

export interface ClientProcessApi {
  connect: { arg: ConnectRequest; result: ConnectResult };
  /** Forget what arrived so far and note from now on. */
  record: { arg: null; result: null };
  report: { arg: null; result: ClientReport };
  /** Marked messages and all messages since `record`, cheap enough to poll. */
  progress: { arg: null; result: { marked: number; messages: number } };
  /** Closes every socket of the group; resolves when they are closed. */
  disconnect: { arg: { group: string }; result: number };
}
