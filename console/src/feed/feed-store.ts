import { FEED_CLOSE_CODES, FeedClient, type FeedClientState, type FeedEvent, type FeedFilter, type FeedSubscriptionHandle } from '../../../feed-client/index.js';
import { api } from '../api/client.js';
import { SignedOutError } from '../api/errors.js';

/** What the page shows of the connection. */
export type FeedStatus = 'connecting' | 'live' | 'reconnecting' | 'paused' | 'closed';

export interface FeedSnapshot {
  /** Bumped on every change; the list re-renders on it. */
  version: number;
  status: FeedStatus;
  /** Why the connection is not live, when the server said so. */
  problem: string | undefined;
  /** Events received, oldest first (capped: the oldest are let go). */
  events: readonly FeedEvent[];
  /** Events received in the last whole second. */
  eventsPerSecond: number;
  /** Where a resume starts: the last position received. */
  position: string | undefined;
}

/** Enough to scroll back through a busy minute without holding the whole log in a tab. */
export const MAX_EVENTS = 20_000;
const TRIM_CHUNK = 2_000;
const FLUSH_EVERY_MS = 100;

/**
 * The live feed as the page sees it, through the package's own FeedClient
 * (reconnect, resume, exactly once). Events arriving at any rate are held in
 * a buffer and handed to the page at the next animation frame, but no more
 * often than every FLUSH_EVERY_MS: 1,000 events/s cost the page 10 renders a
 * second, not 1,000 (nor 60, each moving half the list, which nobody can
 * read and which took a busy 2-core machine's page a third of its frames,
 * bench/console), while an event arriving alone still shows at the next frame.
 *
 * Pause unsubscribes and keeps the last position; resume subscribes again
 * from it, so the server replays what was missed: no gap, no repeat.
 */
export class FeedStore {
  private client: FeedClient | undefined;
  private handle: FeedSubscriptionHandle | undefined;
  private readonly events: FeedEvent[] = [];
  private pending: FeedEvent[] = [];
  private frame: number | undefined;
  private flushTimer: ReturnType<typeof setTimeout> | undefined;
  private lastFlushAt = -Infinity;
  private version = 0;
  private status: FeedStatus = 'connecting';
  private problem: string | undefined;
  private wasOpen = false;
  private lastPosition: string | undefined;
  private sessionEnded = false;
  private filter: FeedFilter = {};
  private readonly arrivals: number[] = [];
  private readonly listeners = new Set<() => void>();
  private readonly ticker: ReturnType<typeof setInterval>;

  constructor() {
    // The rate falls to 0 when events stop, so it is recomputed without them too.
    this.ticker = setInterval(() => this.notify(), 1_000);
  }

  snapshot(): FeedSnapshot {
    const cutoff = performance.now() - 1_000;
    while (this.arrivals.length > 0 && this.arrivals[0]! < cutoff) this.arrivals.shift();
    return { version: this.version, status: this.status, problem: this.problem, events: this.events, eventsPerSecond: this.arrivals.length, position: this.lastPosition };
  }

  listen(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** A new subscription with this filter, from `live` or `start`; the list starts empty. */
  start(filter: FeedFilter, from: 'live' | 'start'): void {
    this.filter = filter;
    this.handle?.unsubscribe();
    this.events.length = 0;
    this.pending = [];
    this.lastPosition = undefined;
    this.subscribe(from);
  }

  pause(): void {
    if (!this.handle) return;
    this.lastPosition = this.handle.position ?? this.lastPosition;
    this.handle.unsubscribe();
    this.handle = undefined;
    this.setStatus('paused');
  }

  /** Subscribes again after the last position received: the server sends what arrived meanwhile. */
  resume(): void {
    if (this.handle) return;
    this.subscribe(this.lastPosition ?? 'live');
  }

  close(): void {
    clearInterval(this.ticker);
    if (this.frame !== undefined) cancelAnimationFrame(this.frame);
    clearTimeout(this.flushTimer);
    this.client?.close();
    this.client = undefined;
    this.listeners.clear();
  }

  private subscribe(from: string): void {
    const client = (this.client ??= this.connect());
    this.handle = client.subscribe({
      filter: this.filter,
      from,
      onEvent: (event) => this.receive(event),
      onCaughtUp: (position) => {
        if (position !== null) this.lastPosition = position;
      },
      onError: (error) => {
        this.handle = undefined;
        this.problem = `The feed refused the subscription: ${error.message} (${error.code})`;
        this.setStatus('closed');
      },
    });
    this.setStatus(client.state === 'open' ? 'live' : this.wasOpen ? 'reconnecting' : 'connecting');
  }

  private connect(): FeedClient {
    return new FeedClient({
      url: location.origin,
      // Asked at every (re)connect: after the server ended the token (4001) a refresh comes first.
      token: async () => {
        if (this.sessionEnded) {
          this.sessionEnded = false;
          if (!(await api.refresh())) throw new SignedOutError();
        }
        return api.accessToken();
      },
      backoff: { initialMs: 250, maxMs: 5_000 },
      onState: (state) => this.connectionState(state),
      onError: (error) => {
        if (error instanceof SignedOutError) return;
        if (error.closeCode === FEED_CLOSE_CODES.sessionEnded) this.sessionEnded = true;
        this.problem = error.message;
        this.notify();
      },
    });
  }

  private connectionState(state: FeedClientState): void {
    if (this.status === 'paused' && state !== 'closed') return;
    if (state === 'open') {
      this.wasOpen = true;
      this.problem = undefined;
      return this.setStatus(this.handle ? 'live' : 'paused');
    }
    if (state === 'closed') return this.setStatus('closed');
    this.setStatus(this.wasOpen ? 'reconnecting' : 'connecting');
  }

  private receive(event: FeedEvent): void {
    this.lastPosition = event.position;
    this.arrivals.push(performance.now());
    this.pending.push(event);
    this.scheduleFlush();
  }

  private scheduleFlush(): void {
    if (this.frame !== undefined || this.flushTimer !== undefined) return;
    const wait = this.lastFlushAt + FLUSH_EVERY_MS - performance.now();
    if (wait <= 0) {
      this.frame = requestAnimationFrame(() => this.flush());
      return;
    }
    this.flushTimer = setTimeout(() => {
      this.flushTimer = undefined;
      this.frame = requestAnimationFrame(() => this.flush());
    }, wait);
  }

  private flush(): void {
    this.frame = undefined;
    this.lastFlushAt = performance.now();
    for (const event of this.pending) this.events.push(event);
    this.pending = [];
    if (this.events.length > MAX_EVENTS) this.events.splice(0, this.events.length - MAX_EVENTS + TRIM_CHUNK);
    this.notify();
  }

  private setStatus(status: FeedStatus): void {
    this.status = status;
    this.notify();
  }

  private notify(): void {
    this.version++;
    for (const listener of this.listeners) listener();
  }
}
