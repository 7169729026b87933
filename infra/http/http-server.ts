import { randomUUID } from 'node:crypto';
import { createServer, STATUS_CODES, type RequestListener, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../logging/logger.js';

export interface HttpServerOptions {
  host: string;
  /** 0 picks a free port; see `port` on the result. */
  port: number;
  logger: Logger;
  /** How long in-flight requests may take to finish once shutdown begins. */
  shutdownGraceMs: number;
}

export interface RunningHttpServer {
  /** The listening server, for connections that are not requests (WebSocket upgrades). */
  readonly server: Server;
  readonly port: number;
  readonly url: string;
  /** Stops accepting, lets in-flight requests finish (bounded), then closes every connection. */
  stop(): Promise<void>;
}

export class ListenError extends Error {
  override readonly name = 'ListenError';
}

export async function startHttpServer(handler: RequestListener, options: HttpServerOptions): Promise<RunningHttpServer> {
  const { logger } = options;
  const inFlight = new Set<ServerResponse>();
  let draining = false;
  const server = createServer((req, res) => {
    inFlight.add(res);
    res.once('close', () => {
      inFlight.delete(res);
      // Keep-alive sockets would otherwise hold the server open until their timeout.
      if (draining) server.closeIdleConnections();
    });
    if (draining) res.setHeader('Connection', 'close');
    handler(req, res);
  });

  server.on('clientError', answerUnparsableRequest);

  await listen(server, options);
  const address = server.address() as AddressInfo;
  const url = `http://${formatHost(options.host)}:${address.port}`;
  logger.info({ url }, 'HTTP server listening');

  let stopped: Promise<void> | undefined;
  const stop = async (): Promise<void> => {
    draining = true;
    for (const res of inFlight) if (!res.headersSent) res.setHeader('Connection', 'close');
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    let timer: NodeJS.Timeout | undefined;
    const graceOver = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), options.shutdownGraceMs);
    });
    if (inFlight.size > 0) logger.info({ inFlight: inFlight.size }, 'waiting for in-flight requests');
    if ((await Promise.race([closed, graceOver])) === 'timeout') {
      logger.warn({ inFlight: inFlight.size, graceMs: options.shutdownGraceMs }, 'grace period over; closing remaining connections');
      server.closeAllConnections();
      await closed;
    }
    clearTimeout(timer);
    logger.info('HTTP server stopped');
  };
  return {
    server,
    port: address.port,
    url,
    stop: () => (stopped ??= stop()),
  };
}

/**
 * A request Node's parser refused (headers over the limit, not HTTP at all, too
 * slow) never reaches express; Node's own answer has neither body nor request id.
 * This one has both, in the API's error format.
 */
function answerUnparsableRequest(error: NodeJS.ErrnoException, socket: Duplex): void {
  if (error.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  const [status, code, message] =
    error.code === 'HPE_HEADER_OVERFLOW' ? [431, 'headers_too_large', 'the request headers are too large']
    : error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? [408, 'request_timeout', 'the request took too long to arrive']
    : [400, 'bad_request', 'the request is not valid HTTP'];
  const body = JSON.stringify({ error: { code, message } });
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nX-Request-Id: ${randomUUID()}\r\nConnection: close\r\n\r\n${body}`,
  );
}

function listen(server: Server, { host, port }: HttpServerOptions): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      server.off('listening', onListening);
      if (error.code === 'EADDRINUSE') reject(new ListenError(`port ${port} on ${host} is already in use (set PORT to a free port)`));
      else if (error.code === 'EACCES') reject(new ListenError(`no permission to listen on port ${port} on ${host} (set PORT)`));
      else reject(error);
    };
    const onListening = () => {
      server.off('error', onError);
      resolve();
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, host);
  });
}

function formatHost(host: string): string {
  if (host === '0.0.0.0' || host === '::') return 'localhost';
  return host.includes(':') ? `[${host}]` : host;
}
