/**
 * The limit the feed is measured against: a bare `ws` server (no auth, no
 * rights, no filters) broadcasting pre-serialised messages, each turned into
 * one Buffer once and sent to every socket, the broadcast of the `ws` docs.
 * It answers a `subscribe` like the feed does, so clients run the same code
 * against both servers.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { serveParent } from './child-rpc.js';
import { clockMs } from './marks.js';
import type { RawBroadcastApi } from './raw-api.js';

const http = createServer((_request, response) => response.writeHead(404).end());
const server = new WebSocketServer({ server: http, path: '/feed', perMessageDeflate: false });

server.on('connection', (socket: WebSocket) => {
  socket.on('message', (data: RawData) => {
    const id = /"id":"([^"]*)"/.exec(String(data))?.[1];
    if (id === undefined) return;
    socket.send(JSON.stringify({ type: 'subscribed', id }));
    socket.send(JSON.stringify({ type: 'caught-up', subscription: id, position: null }));
  });
  socket.on('error', () => undefined);
});

function sendToAll(message: Buffer): void {
  for (const socket of server.clients) socket.send(message, { binary: false });
}

/** Lets the loop flush writes and run callbacks between messages, as the feed's hub does between events. */
function turn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

async function broadcast(messages: string[]): Promise<{ startedAt: number; queuedAt: number }> {
  const startedAt = clockMs();
  for (const message of messages) {
    sendToAll(Buffer.from(message));
    await turn();
  }
  return { startedAt, queuedAt: clockMs() };
}

async function steady(messages: string[], intervalMs: number): Promise<{ sentAt: Float64Array }> {
  const sentAt = new Float64Array(messages.length);
  const start = clockMs();
  for (const [index, message] of messages.entries()) {
    const wait = start + index * intervalMs - clockMs();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    sentAt[index] = clockMs();
    sendToAll(Buffer.from(message));
  }
  return { sentAt };
}

serveParent<RawBroadcastApi>({
  listen: () =>
    new Promise((resolve) => {
      http.listen(0, '127.0.0.1', () => resolve({ url: `ws://127.0.0.1:${(http.address() as AddressInfo).port}/feed` }));
    }),
  clients: () => server.clients.size,
  broadcast: ({ messages }) => broadcast(messages),
  steady: ({ messages, intervalMs }) => steady(messages, intervalMs),
});
