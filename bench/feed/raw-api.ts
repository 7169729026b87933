/** The calls the raw `ws` reference server (raw-broadcast-process.ts) answers. */
export interface RawBroadcastApi {
  listen: { arg: null; result: { url: string } };
  /** Sockets open now. */
  clients: { arg: null; result: number };
  /** Every message to every socket, as fast as the server can, one message after the other; when it started and when the last send was queued. */
  broadcast: { arg: { messages: string[] }; result: { startedAt: number; queuedAt: number } };
  /** Message i to every socket at start + i × intervalMs; when each was sent. */
  steady: { arg: { messages: string[]; intervalMs: number }; result: { sentAt: Float64Array } };
}
