/**
 * A child process of the feed bench holding WebSocket clients (a process
 * may open at most 20,000 files here, so 10,000 sockets are spread over
 * several of these). Every message is counted; a marked one's seq and
 * arrival time are noted (marks.ts) without parsing its JSON, so the client
 * side costs as little CPU as it can on a machine it shares with the server.
 */
import { WebSocket, type RawData } from 'ws';
import type { ClientProcessApi, ClientReport, ConnectRequest, ConnectResult } from './client-api.js';
import { serveParent } from './child-rpc.js';
import { clockMs, seqOf } from './marks.js';

const HANDSHAKE_TIMEOUT_MS = 60_000;

class Arrivals {
  private seqs: Float64Array<ArrayBuffer> = new Float64Array(1 << 16);
  private times: Float64Array<ArrayBuffer> = new Float64Array(1 << 16);
  private length = 0;
  messages = 0;
  bytes = 0;
  unmarked = 0;
  closes: Record<string, number> = {};
  private readonly cpuAtStart = process.cpuUsage();

  note(seq: number, time: number): void {
    if (this.length === this.seqs.length) {
      this.seqs = grow(this.seqs);
      this.times = grow(this.times);
    }
    this.seqs[this.length] = seq;
    this.times[this.length++] = time;
  }

  get marked(): number {
    return this.length;
  }

  report(open: Record<string, number>): ClientReport {
    return {
      seqs: this.seqs.slice(0, this.length),
      times: this.times.slice(0, this.length),
      messages: this.messages,
      bytes: this.bytes,
      unmarked: this.unmarked,
      closes: { ...this.closes },
      open,
      rss: process.memoryUsage.rss(),
      cpuMs: cpuMsSince(this.cpuAtStart),
    };
  }
}

function cpuMsSince(start: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
}

function grow(array: Float64Array): Float64Array<ArrayBuffer> {
  const larger = new Float64Array(array.length * 2);
  larger.set(array);
  return larger;
}

let arrivals = new Arrivals();
const groups = new Map<string, Set<WebSocket>>();

function onMessage(data: Buffer): void {
  const time = clockMs();
  arrivals.messages++;
  arrivals.bytes += data.length;
  const seq = seqOf(data);
  if (seq >= 0) arrivals.note(seq, time);
  else arrivals.unmarked++;
}

function rawText(data: RawData): string {
  return Buffer.isBuffer(data) ? data.toString('utf8') : Array.isArray(data) ? Buffer.concat(data).toString('utf8') : Buffer.from(data).toString('utf8');
}

/** Opens one socket; resolves once it is connected (and subscribed, if asked), or with the reason it is not. */
function open(request: ConnectRequest, token: string | null, sockets: Set<WebSocket>): Promise<string | undefined> {
  return new Promise((resolve) => {
    const socket = new WebSocket(request.url, {
      headers: token === null ? {} : { authorization: `Bearer ${token}` },
      perMessageDeflate: false,
      handshakeTimeout: HANDSHAKE_TIMEOUT_MS,
    });
    let settled = false;
    const settle = (reason: string | undefined): void => {
      if (settled) return;
      settled = true;
      resolve(reason);
    };
    socket.on('unexpected-response', (_request, response) => {
      settle(`HTTP ${response.statusCode} on the upgrade`);
      socket.terminate();
    });
    socket.on('error', (error) => settle(error.message));
    socket.on('close', (code) => {
      sockets.delete(socket);
      arrivals.closes[code] = (arrivals.closes[code] ?? 0) + 1;
      settle(`closed with ${code} before it was subscribed`);
    });
    socket.on('open', () => {
      sockets.add(socket);
      if (request.subscribe === null) return settle(undefined);
      // Until the subscription is live (`caught-up`), a message answers it; afterwards, it is counted traffic.
      const answer = (data: RawData): void => {
        const text = rawText(data);
        if (text.includes('"type":"subscribed"')) return;
        socket.off('message', answer);
        socket.on('message', (message: RawData) => onMessage(message as Buffer));
        settle(text.includes('"type":"caught-up"') ? undefined : `answered ${text.slice(0, 200)}`);
      };
      socket.on('message', answer);
      socket.send(request.subscribe);
    });
  });
}

async function connect(request: ConnectRequest): Promise<ConnectResult> {
  const sockets = groups.get(request.group) ?? new Set<WebSocket>();
  groups.set(request.group, sockets);
  const errors = new Set<string>();
  let opened = 0;
  let failed = 0;
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(request.concurrency, request.tokens.length) }, async () => {
      while (next < request.tokens.length) {
        const reason = await open(request, request.tokens[next++]!, sockets);
        if (reason === undefined) opened++;
        else {
          failed++;
          if (errors.size < 3) errors.add(reason);
        }
      }
    }),
  );
  return { opened, failed, errors: [...errors] };
}

async function disconnect(group: string): Promise<number> {
  const sockets = groups.get(group);
  if (!sockets) return 0;
  const count = sockets.size;
  await Promise.all(
    [...sockets].map(
      (socket) =>
        new Promise<void>((resolve) => {
          socket.once('close', () => resolve());
          socket.terminate();
        }),
    ),
  );
  groups.delete(group);
  return count;
}

serveParent<ClientProcessApi>({
  connect,
  record: () => {
    arrivals = new Arrivals();
    return null;
  },
  report: () => arrivals.report(Object.fromEntries([...groups].map(([name, sockets]) => [name, sockets.size]))),
  progress: () => ({ marked: arrivals.marked, messages: arrivals.messages }),
  disconnect: ({ group }) => disconnect(group),
});
