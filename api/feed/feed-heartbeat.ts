import type { WebSocket } from 'ws';

/**
 * Pings every tracked socket each `intervalMs` with one timer for all; a
 * socket that has not answered the previous ping by the next beat is cut
 * off (a half-open TCP connection never says goodbye, and would hold its
 * subscriptions and its place under the connection limits for good).
 */
export class FeedHeartbeat {
  /** Whether each socket answered since the last ping. */
  private readonly answered = new Map<WebSocket, boolean>();
  private readonly timedOut = new WeakSet<WebSocket>();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly intervalMs: number) {}

  start(): void {
    this.timer ??= setInterval(() => this.beat(), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.answered.clear();
  }

  track(ws: WebSocket): void {
    this.answered.set(ws, true);
    // Any frame proves the peer alive, a pong or a message.
    const alive = () => this.answered.has(ws) && this.answered.set(ws, true);
    ws.on('pong', alive);
    ws.on('message', alive);
    ws.once('close', () => this.answered.delete(ws));
  }

  /** Whether this socket was cut off for missing a pong. */
  missedPong(ws: WebSocket): boolean {
    return this.timedOut.has(ws);
  }

  private beat(): void {
    for (const [ws, answered] of this.answered) {
      if (!answered) {
        this.timedOut.add(ws);
        this.answered.delete(ws);
        ws.terminate();
        continue;
      }
      this.answered.set(ws, false);
      if (ws.readyState === ws.OPEN) ws.ping();
    }
  }
}
