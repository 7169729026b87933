import { Backoff, type BackoffOptions } from './backoff.js';
import { FEED_CLOSE_CODES, type FeedErrorMessage, type FeedEvent, type FeedFilter, type FeedFrom, type ServerMessage } from './messages.js';

/** A handler type that accepts the richer event objects of real WebSocket implementations (checked bivariantly). */
type Handler<E> = { bivariance(event: E): void }['bivariance'];

/** What the client needs of a WebSocket: the browser's, Node 22's global one, or `ws`'s class. */
export interface FeedWebSocket {
  /** 1 is OPEN in every implementation. */
  readonly readyState: number;
  onopen: Handler<unknown> | null;
  onmessage: Handler<{ data: unknown }> | null;
  onclose: Handler<{ code: number; reason: string }> | null;
  onerror: Handler<unknown> | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

export type FeedWebSocketConstructor = new (url: string, protocols?: string | string[]) => FeedWebSocket;

export interface FeedClientOptions {
  /** The API's base URL, `http(s)://` or `ws(s)://`; the client connects to its `/feed`. */
  url: string;
  /**
   * Asked at every (re)connect, so a refreshed token is used after a 4001;
   * undefined connects as a guest. Sent as the `bearer.<token>`
   * subprotocol, which browsers allow (they cannot set headers).
   */
  token?: () => string | undefined | Promise<string | undefined>;
  /** The WebSocket class; default the global one (browsers, Node 22+). On Node 20 pass `ws`'s. */
  WebSocket?: FeedWebSocketConstructor;
  backoff?: BackoffOptions;
  /** Each connection state change, e.g. for a status light. */
  onState?(state: FeedClientState): void;
  /** Errors that concern no subscription: a connection that failed or closed, with the close code when there is one. */
  onError?(error: FeedClientError): void;
}

export type FeedClientState = 'connecting' | 'open' | 'waiting' | 'closed';

export class FeedClientError extends Error {
  constructor(
    message: string,
    /** The WebSocket close code, when the server closed the connection. */
    readonly closeCode?: number,
  ) {
    super(message);
    this.name = 'FeedClientError';
  }
}

export interface SubscribeOptions {
  /** Unique per client; generated when absent. */
  id?: string;
  filter?: FeedFilter;
  /** Where the first connection starts; every reconnect resumes after the last position received. Default `live`. */
  from?: FeedFrom;
  onEvent(event: FeedEvent): void;
  /** The replay reached the live head (after each (re)connect). */
  onCaughtUp?(position: string | null): void;
  /** The server refused or ended this subscription (an `error` message); it is no longer active. */
  onError?(error: FeedErrorMessage): void;
}

export interface FeedSubscriptionHandle {
  readonly id: string;
  /** The last position received (an event, or a caught-up): where a reconnect resumes. */
  readonly position: string | undefined;
  unsubscribe(): void;
}

const OPEN = 1;
/** Closes after which reconnecting cannot help. */
const FATAL_CLOSE_CODES: ReadonlySet<number> = new Set([FEED_CLOSE_CODES.tooBig]);
/** Closes that mean "come back now, elsewhere": the first retry waits only the jitter of the first step. */
const PROMPT_CLOSE_CODES: ReadonlySet<number> = new Set([FEED_CLOSE_CODES.goingAway, FEED_CLOSE_CODES.slowConsumer]);

/**
 * A client of the live feed (`GET /feed`) that stays connected: it
 * reconnects with exponential backoff and jitter, asks for a fresh token
 * each time, and resubscribes every subscription from the last position it
 * received, so the application sees each event once, in order, across
 * disconnects (the server replays the gap; the client drops anything at or
 * before a subscription's position as a second guard).
 *
 * A subscription from `live` that is cut before its first `caught-up`
 * resumes from `live` again: nothing was promised before it.
 */
export class FeedClient {
  private readonly subscriptions = new Map<string, ClientSubscription>();
  private readonly backoff: Backoff;
  private readonly WebSocketClass: FeedWebSocketConstructor;
  private socket: FeedWebSocket | undefined;
  private retry: ReturnType<typeof setTimeout> | undefined;
  private stopped = false;
  private nextId = 1;
  private currentState: FeedClientState = 'connecting';

  constructor(private readonly options: FeedClientOptions) {
    const WebSocketClass = options.WebSocket ?? (globalThis as { WebSocket?: FeedWebSocketConstructor }).WebSocket;
    if (!WebSocketClass) throw new FeedClientError('no WebSocket implementation: pass options.WebSocket (e.g. the `ws` package\'s class on Node 20)');
    this.WebSocketClass = WebSocketClass;
    this.backoff = new Backoff(options.backoff);
    void this.connect();
  }

  get state(): FeedClientState {
    return this.currentState;
  }

  subscribe(options: SubscribeOptions): FeedSubscriptionHandle {
    if (this.stopped) throw new FeedClientError('the client is closed');
    const id = options.id ?? `s${this.nextId++}`;
    if (this.subscriptions.has(id)) throw new FeedClientError(`a subscription with id ${id} exists`);
    const subscription = new ClientSubscription(id, options);
    this.subscriptions.set(id, subscription);
    this.sendSubscribe(subscription);
    return {
      id,
      get position() {
        return subscription.position;
      },
      unsubscribe: () => {
        if (this.subscriptions.get(id) !== subscription) return;
        this.subscriptions.delete(id);
        this.send({ type: 'unsubscribe', id });
      },
    };
  }

  /** Closes the connection for good (1000); no reconnect. */
  close(): void {
    this.stopped = true;
    clearTimeout(this.retry);
    this.subscriptions.clear();
    this.socket?.close(1000, 'client closed');
    this.socket = undefined;
    this.setState('closed');
  }

  private async connect(): Promise<void> {
    this.setState('connecting');
    let token: string | undefined;
    try {
      token = await this.options.token?.();
    } catch (error) {
      this.options.onError?.(new FeedClientError(`the token could not be had: ${error instanceof Error ? error.message : String(error)}`));
      return this.scheduleReconnect(undefined);
    }
    if (this.stopped) return;
    const socket = new this.WebSocketClass(feedUrl(this.options.url), token === undefined ? [] : [`bearer.${token}`]);
    this.socket = socket;
    socket.onopen = () => {
      if (this.socket !== socket) return;
      this.setState('open');
      for (const subscription of this.subscriptions.values()) this.sendSubscribe(subscription);
    };
    socket.onmessage = (event) => {
      if (this.socket !== socket) return;
      // A message means the server took us: the next failure may retry quickly again.
      this.backoff.reset();
      this.receive(event.data);
    };
    // Failures to connect end in a close (1006) too; the reconnect is decided there.
    socket.onerror = () => undefined;
    socket.onclose = (event) => {
      if (this.socket !== socket) return;
      this.socket = undefined;
      if (this.stopped) return;
      this.options.onError?.(new FeedClientError(`the feed connection closed (${event.code}${event.reason ? ` ${event.reason}` : ''})`, event.code));
      if (FATAL_CLOSE_CODES.has(event.code)) {
        this.stopped = true;
        return this.setState('closed');
      }
      this.scheduleReconnect(event.code);
    };
  }

  private scheduleReconnect(closeCode: number | undefined): void {
    if (this.stopped) return;
    if (closeCode !== undefined && PROMPT_CLOSE_CODES.has(closeCode)) this.backoff.reset();
    this.setState('waiting');
    this.retry = setTimeout(() => void this.connect(), this.backoff.next());
  }

  private receive(data: unknown): void {
    let message: ServerMessage;
    try {
      message = JSON.parse(typeof data === 'string' ? data : String(data)) as ServerMessage;
    } catch {
      return this.options.onError?.(new FeedClientError('the server sent a message that is not JSON'));
    }
    switch (message.type) {
      case 'event': {
        const { type: _type, ...event } = message;
        this.subscriptions.get(message.subscription)?.event(event);
        return;
      }
      case 'caught-up':
        this.subscriptions.get(message.subscription)?.caughtUp(message.position);
        return;
      case 'error': {
        const { type: _type, ...error } = message;
        const subscription = error.subscription === undefined ? undefined : this.subscriptions.get(error.subscription);
        if (!subscription) return this.options.onError?.(new FeedClientError(`${error.code}: ${error.message}`));
        this.subscriptions.delete(subscription.id);
        subscription.failed(error);
        return;
      }
      case 'subscribed':
        return;
      default: {
        const _exhaustive: never = message;
        return _exhaustive;
      }
    }
  }

  private sendSubscribe(subscription: ClientSubscription): void {
    this.send({ type: 'subscribe', id: subscription.id, filter: subscription.filter, from: subscription.resumeFrom });
  }

  private send(message: object): void {
    if (this.socket?.readyState === OPEN) this.socket.send(JSON.stringify(message));
  }

  private setState(state: FeedClientState): void {
    if (this.currentState === state) return;
    this.currentState = state;
    this.options.onState?.(state);
  }
}

/** One subscription's bookkeeping: where it stands, so a reconnect resumes right after it. */
class ClientSubscription {
  position: string | undefined;
  readonly filter: FeedFilter;

  constructor(
    readonly id: string,
    private readonly options: SubscribeOptions,
  ) {
    this.filter = options.filter ?? {};
  }

  get resumeFrom(): FeedFrom {
    return this.position ?? this.options.from ?? 'live';
  }

  event(event: FeedEvent): void {
    if (this.position !== undefined && BigInt(event.position) <= BigInt(this.position)) return;
    this.position = event.position;
    this.options.onEvent(event);
  }

  caughtUp(position: string | null): void {
    if (position !== null && (this.position === undefined || BigInt(position) > BigInt(this.position))) this.position = position;
    this.options.onCaughtUp?.(position);
  }

  failed(error: FeedErrorMessage): void {
    this.options.onError?.(error);
  }
}

/** `https://host/base` → `wss://host/feed`. */
function feedUrl(base: string): string {
  const url = new URL('/feed', base);
  if (url.protocol === 'http:') url.protocol = 'ws:';
  if (url.protocol === 'https:') url.protocol = 'wss:';
  return url.toString();
}
