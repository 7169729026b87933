import type { IncomingMessage } from 'node:http';
import express from 'express';

/**
 * The client's address of a raw request (a WebSocket upgrade, which never
 * reaches express), decided exactly as express' `req.ip` decides it under
 * TRUST_PROXY: a throwaway express application with the same setting reads
 * X-Forwarded-For only from the peers it trusts. Behind a proxy the socket's
 * own address would be the proxy's, and every client would share one limit.
 */
export function clientAddressOf(trustProxy: false | number | string): (req: IncomingMessage) => string {
  const app = express();
  app.set('trust proxy', trustProxy);
  return (req) => {
    const view = Object.create(app.request, {
      headers: { value: req.headers },
      socket: { value: req.socket },
      connection: { value: req.socket },
    }) as { ip: string | undefined };
    return view.ip ?? req.socket.remoteAddress ?? 'unknown';
  };
}
