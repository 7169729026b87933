import WebSocket from 'ws';
import type { ServerMessage } from '../../feed-client/messages.js';

/** The protocol's types as the exported client declares them: the tests read the wire as any client would. */
export type FeedMessage = ServerMessage;
export type FeedEventMessage = Extract<ServerMessage, { type: 'event' }>;

export interface OpenOptions {
  /** Sent as `Authorization: Bearer`. */
  bearer?: string;
  /** Sent as `?access_token=`. */
  accessToken?: string;
  /** Sent as the subprotocol `bearer.<token>`, beside `other` protocols. */
  protocolToken?: string;
  otherProtocols?: readonly string[];
  /** More request headers, e.g. X-Forwarded-For. */
  headers?: Record<string, string>;
  /** false: the client leaves pings unanswered (a dead peer, for the heartbeat). */
  autoPong?: boolean;
}

export interface Closed {
  code: number;
  reason: string;
}

/** The upgrade was refused with an HTTP answer. */
export class UpgradeRefused extends Error {
  constructor(
    readonly status: number,
    readonly body: string,
  ) {
    super(`upgrade refused with ${status}: ${body}`);
  }
}

/** A raw `ws` client of GET /feed for tests: keeps every message, waits for the ones a test expects. */
export class FeedSocket {
  readonly messages: FeedMessage[] = [];
  readonly closed: Promise<Closed>;
  private readonly waiters: Array<() => void> = [];
  private readonly counts = new Map<string, number>();

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const message = JSON.parse(String(data)) as FeedMessage;
      this.messages.push(message);
      if (message.type === 'event') this.counts.set(message.subscription, (this.counts.get(message.subscription) ?? 0) + 1);
      for (const wake of [...this.waiters]) wake();
    });
    this.closed = new Promise((resolve) =>
      ws.once('close', (code, reason) => {
        resolve({ code, reason: reason.toString('utf8') });
        for (const wake of [...this.waiters]) wake();
      }),
    );
  }

  static open(baseUrl: string, options: OpenOptions = {}): Promise<FeedSocket> {
    const url = new URL('/feed', baseUrl.replace(/^http/, 'ws'));
    if (options.accessToken !== undefined) url.searchParams.set('access_token', options.accessToken);
    const protocols = [...(options.otherProtocols ?? []), ...(options.protocolToken === undefined ? [] : [`bearer.${options.protocolToken}`])];
    const headers = { ...options.headers, ...(options.bearer === undefined ? {} : { authorization: `Bearer ${options.bearer}` }) };
    const ws = new WebSocket(url, protocols, { headers, ...(options.autoPong === undefined ? {} : { autoPong: options.autoPong }) });
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(new FeedSocket(ws)));
      // Kept: a later error (a reset) must not be an unhandled 'error' event.
      ws.on('error', reject);
      ws.once('unexpected-response', (req, res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
        res.on('end', () => {
          reject(new UpgradeRefused(res.statusCode ?? 0, body));
          req.destroy();
        });
      });
    });
  }

  send(message: unknown): void {
    this.ws.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  /** Subscribes and waits for its caught-up message. */
  async subscribe(id: string, filter: Record<string, unknown> = {}, from?: string): Promise<void> {
    this.send({ type: 'subscribe', id, filter, ...(from === undefined ? {} : { from }) });
    await this.until((message) => message.type === 'caught-up' && message.subscription === id);
  }

  events(subscription: string): FeedEventMessage[] {
    return this.messages.filter((message): message is FeedEventMessage => message.type === 'event' && message.subscription === subscription);
  }

  /** The first message (received so far or later) that `matches`; fails after `timeoutMs` or on close, naming what came. */
  async until(matches: (message: FeedMessage) => boolean, timeoutMs = 10_000): Promise<FeedMessage> {
    await this.waitFor(() => this.messages.some(matches), timeoutMs);
    return this.messages.find(matches)!;
  }

  /** Waits until `subscription` has received `count` events; answers all of them. */
  async eventsUntil(subscription: string, count: number, timeoutMs = 10_000): Promise<FeedEventMessage[]> {
    await this.waitFor(() => (this.counts.get(subscription) ?? 0) >= count, timeoutMs, () => `${subscription}: ${this.counts.get(subscription) ?? 0} of ${count} events`);
    return this.events(subscription);
  }

  async waitFor(condition: () => boolean, timeoutMs = 10_000, what = () => ''): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!condition()) {
      if (this.ws.readyState === WebSocket.CLOSED) throw new Error(`socket closed before the expected message ${what()}; got ${this.describe()}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`nothing expected within ${timeoutMs} ms ${what()}; got ${this.describe()}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(wake, left);
        const waiters = this.waiters;
        function wake(): void {
          clearTimeout(timer);
          const index = waiters.indexOf(wake);
          if (index !== -1) waiters.splice(index, 1);
          resolve();
        }
        waiters.push(wake);
      });
    }
  }

  close(): Promise<Closed> {
    this.ws.close();
    return this.closed;
  }

  terminate(): void {
    this.ws.terminate();
  }

  private describe(): string {
    return JSON.stringify(this.messages.slice(-5).map((message) => (message.type === 'event' ? { event: message.position, subscription: message.subscription } : message)));
  }
}
