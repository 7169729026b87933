import { randomUUID } from 'node:crypto';
import { STATUS_CODES, type IncomingMessage, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Logger } from '../../infra/logging/logger.js';
import type { Authenticator } from '../authentication.js';
import { toHttpError } from '../error-mapping.js';
import { FeedConnection, type ConnectionSettings } from './feed-connection.js';
import { authenticateUpgrade, bearerProtocol, upgradeCredential, type FeedIdentity } from './feed-credentials.js';
import type { FeedHub } from './feed-hub.js';
import type { FeedSocketGuard } from './feed-socket-guard.js';
import { FEED_CLOSE_CODES } from '../../feed-client/messages.js';

export const FEED_PATH = '/feed';

export interface FeedSocketServerOptions {
  hub: FeedHub;
  authenticator: Authenticator | undefined;
  logger: Logger;
  connection: ConnectionSettings;
  /** Largest client message (FEED_MAX_MESSAGE_BYTES); over it `ws` closes with 1009. */
  maxMessageBytes: number;
  /** Connection limits, heartbeat and disconnect metrics (api/feed/feed-socket-guard.ts). */
  guard?: FeedSocketGuard;
  /** How long shutdown waits for clients to answer the 1001 close before cutting them off. */
  closeGraceMs?: number;
}

const DEFAULT_CLOSE_GRACE_MS = 1_000;
const NONE: ReadonlySet<FeedConnection> = new Set();

/**
 * `GET /feed` over WebSocket (`ws` without a server of its own, on the
 * HTTP server's `upgrade`): authenticates before the upgrade completes (a
 * bad credential is an HTTP 401, never a silent guest), then hands each
 * socket to a FeedConnection. Shutdown closes every socket with 1001 so the
 * clients reconnect elsewhere.
 */
export class FeedSocketServer {
  private readonly sockets: WebSocketServer;
  private readonly connections = new Map<WebSocket, FeedConnection>();
  private readonly byUser = new Map<string, Set<FeedConnection>>();
  private closing = false;
  private server: Server | undefined;
  private readonly onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => void this.upgrade(req, socket, head);

  constructor(private readonly options: FeedSocketServerOptions) {
    this.sockets = new WebSocketServer({
      noServer: true,
      perMessageDeflate: false,
      maxPayload: options.maxMessageBytes,
      // A client that sent its token as a subprotocol is answered with it, as browsers require.
      handleProtocols: (_offered, req) => bearerProtocol(req) ?? false,
    });
  }

  attach(server: Server): void {
    this.server = server;
    server.on('upgrade', this.onUpgrade);
  }

  /** Every open connection. */
  get open(): IterableIterator<FeedConnection> {
    return this.connections.values();
  }

  /** The open connections of one user. */
  connectionsOf(userId: string): ReadonlySet<FeedConnection> {
    return this.byUser.get(userId) ?? NONE;
  }

  /** Closes every socket with 1001 (going away), waits a little for the handshakes, then cuts off the rest. */
  async close(): Promise<void> {
    this.closing = true;
    this.server?.off('upgrade', this.onUpgrade);
    const closed = [...this.connections.keys()].map((socket) => new Promise<void>((resolve) => (socket.readyState === socket.CLOSED ? resolve() : socket.once('close', () => resolve()))));
    for (const connection of this.connections.values()) connection.close(FEED_CLOSE_CODES.goingAway, 'server shutting down');
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<void>((resolve) => (timer = setTimeout(resolve, this.options.closeGraceMs ?? DEFAULT_CLOSE_GRACE_MS)));
    await Promise.race([Promise.all(closed), grace]);
    clearTimeout(timer);
    for (const socket of this.connections.keys()) socket.terminate();
    this.connections.clear();
    this.byUser.clear();
    await new Promise<void>((resolve) => this.sockets.close(() => resolve()));
  }

  private async upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    socket.on('error', () => socket.destroy());
    if (new URL(req.url ?? '/', 'http://localhost').pathname !== FEED_PATH) return refuse(socket, 404, 'not_found', 'no WebSocket endpoint here; the live feed is at /feed');
    if (this.closing) return refuse(socket, 503, 'shutting_down', 'the server is shutting down; connect to another one');
    let identity: FeedIdentity;
    try {
      identity = await authenticateUpgrade(this.options.authenticator, upgradeCredential(req));
    } catch (error) {
      const http = toHttpError(error);
      if (!http) this.options.logger.error({ err: error }, 'feed authentication failed unexpectedly');
      return refuse(socket, http?.status ?? 500, http?.code ?? 'internal_error', http?.message ?? 'the credential could not be checked', http?.headers());
    }
    if (this.closing || socket.destroyed) return refuse(socket, 503, 'shutting_down', 'the server is shutting down; connect to another one');
    const guard = this.options.guard;
    if (guard && !guard.admit(req, socket, identity.reader)) return this.sockets.handleUpgrade(req, socket, head, (ws) => guard.refused(ws));
    this.sockets.handleUpgrade(req, socket, head, (ws) => this.connected(ws, identity));
  }

  private connected(ws: WebSocket, identity: FeedIdentity): void {
    const connection = new FeedConnection(ws, identity.reader, identity.session, this.options.hub, this.options.connection, this.options.logger);
    this.connections.set(ws, connection);
    this.options.guard?.connected(ws, connection);
    const userId = connection.userId;
    if (userId !== undefined) this.byUser.set(userId, (this.byUser.get(userId) ?? new Set()).add(connection));
    ws.on('message', (data) => connection.handle(data));
    // `ws` reports protocol errors (a message over maxPayload: 1009) here, then closes the socket itself.
    ws.on('error', () => undefined);
    ws.once('close', () => {
      connection.dispose();
      this.connections.delete(ws);
      const ofUser = userId === undefined ? undefined : this.byUser.get(userId);
      ofUser?.delete(connection);
      if (userId !== undefined && ofUser?.size === 0) this.byUser.delete(userId);
    });
  }
}

/** An HTTP answer in the API's error format on a socket that will not be upgraded. */
function refuse(socket: Duplex, status: number, code: string, message: string, headers: Record<string, string> = {}): void {
  if (!socket.writable) return void socket.destroy();
  const body = JSON.stringify({ error: { code, message } });
  const extra = Object.entries({ ...headers, ...(status === 401 ? { 'WWW-Authenticate': 'Bearer error="invalid_token"' } : {}) })
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join('');
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
      `X-Request-Id: ${randomUUID()}\r\n${extra}Connection: close\r\n\r\n${body}`,
  );
}
