import { createServer, type RequestListener, type Server, type ServerResponse } from 'node:http';
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
    port: address.port,
    url,
    stop: () => (stopped ??= stop()),
  };
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
