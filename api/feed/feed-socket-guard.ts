import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { WebSocket } from 'ws';
import type { ConnectionLimits } from './feed-connection-limits.js';
import type { FeedHeartbeat } from './feed-heartbeat.js';
import { disconnectReason, type DisconnectReason, type FeedMetrics } from './feed-metrics.js';
import { FEED_CLOSE_CODES } from '../../feed-client/messages.js';
import type { FeedReader } from './feed-rights-model.js';

export interface FeedSocketGuardOptions {
  limits: ConnectionLimits;
  heartbeat: FeedHeartbeat;
  metrics: FeedMetrics;
  clientAddress(req: IncomingMessage): string;
}

/** What the guard reads of a connection when its socket closes. */
export interface GuardedConnection {
  /** The code the server closed it with, if the server did. */
  readonly closedWith: number | undefined;
}

/**
 * The socket server's edges: the connection limits before an upgrade
 * completes, the heartbeat and the disconnect metrics after.
 *
 * Over a limit the upgrade still completes and the socket is closed at once
 * with 4009: a browser never sees the status of a refused upgrade (only
 * 1006), while a close code tells any client to back off rather than retry
 * as after a network failure.
 */
export class FeedSocketGuard {
  constructor(private readonly options: FeedSocketGuardOptions) {}

  /**
   * Takes a place under the limits for this connection, given back when its
   * TCP socket closes (also when the handshake fails after this); false:
   * then the socket is opened only to be `refused`.
   */
  admit(req: IncomingMessage, socket: Duplex, reader: FeedReader): boolean {
    const release = this.options.limits.admit(reader, this.options.clientAddress(req));
    if (!release) return false;
    socket.once('close', release);
    return true;
  }

  refused(ws: WebSocket): void {
    ws.close(FEED_CLOSE_CODES.tooManyConnections, 'too many connections');
    this.options.metrics.disconnected('websocket', 'too_many_connections');
  }

  connected(ws: WebSocket, connection: GuardedConnection): void {
    const { heartbeat, metrics } = this.options;
    heartbeat.track(ws);
    // A frame `ws` refuses (too big, malformed) is reported here; `ws` then closes the socket itself, reporting 1006.
    let refusedFrame: DisconnectReason | undefined;
    ws.on('error', (error: Error & { code?: string }) => {
      refusedFrame ??= error.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH' ? 'message_too_big' : 'protocol_error';
    });
    ws.once('close', (code: number) => {
      const byServer = connection.closedWith !== undefined;
      const reason = heartbeat.missedPong(ws) ? 'heartbeat_timeout' : (refusedFrame ?? disconnectReason(connection.closedWith ?? code, byServer));
      metrics.disconnected('websocket', reason);
    });
  }
}
