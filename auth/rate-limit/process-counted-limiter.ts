import type { Knex } from 'knex';
import { RateLimitedError } from '../errors.js';
import { hashLimitKey, limitState, type LimitName, type LimitState, type RateLimitReport } from './limit-state.js';
import { addToCounts, type CountAnswer } from './rate-limit-counts.js';

/** How often counts made in this process are added to PostgreSQL, unless told. */
export const DEFAULT_FLUSH_INTERVAL_MS = 100;
/** A key's count last read longer ago than this is read again before an attempt is decided, unless told. */
export const DEFAULT_STALE_AFTER_MS = 1_000;

export interface ProcessCountedOptions {
  /** Date.now() unless told (tests). */
  clock?: () => number;
  flushIntervalMs?: number;
  staleAfterMs?: number;
}

export interface ProcessCountedLimit {
  /** Attempts (or their cost) allowed per window, unless an attempt names its own. */
  points: number;
  windowSeconds: number;
}

export interface ProcessCountedConsume {
  report?: RateLimitReport | undefined;
  /** This key's own limit per window (an API key's rateLimitPerMinute). */
  points?: number;
  /** What the attempt counts for (an ingest request: its events); 1 unless told. */
  cost?: number;
}

/** One key's window as this process knows it. */
interface KeyWindow {
  windowEndsAt: number;
  /** When PostgreSQL last answered the count (clock time). */
  readAt: number;
  /** The count PostgreSQL answered last, other processes' attempts included. */
  stored: number;
  /** Counted here, being added to PostgreSQL now. */
  sending: number;
  /** Counted here since, not yet sent. */
  unsent: number;
}

/**
 * A per-key limit for hot paths (a write key's requests and events): each
 * process counts attempts in memory and adds them to the shared counter in
 * PostgreSQL every `flushIntervalMs`, in one statement for every key, in the
 * background. An attempt never waits for a row lock another request of the
 * same key holds: only the first attempt of a key's window in this process
 * waits, to read the window from PostgreSQL.
 *
 * Within one process the limit is exact (attempts are decided in order, as
 * one counter would). Across processes each decides with the others' counts
 * as of its last answer from PostgreSQL (every flush while it counts, and
 * never older than `staleAfterMs`: a stale count is read again first), so
 * together they may let through more than the limit by about what the
 * processes let through in that time. Counts not yet flushed when a process
 * dies are lost (at most one interval's). Refused attempts count too, as
 * with PostgresRateLimiter.
 */
export class ProcessCountedRateLimiter {
  private readonly windows = new Map<string, KeyWindow>();
  /** First attempts of a key's window, waiting for its count. */
  private readonly opening = new Map<string, Promise<void>>();
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;
  private closed = false;

  private readonly clock: () => number;
  private readonly flushIntervalMs: number;
  private readonly staleAfterMs: number;

  constructor(
    private readonly knex: Knex,
    readonly id: LimitName,
    readonly limit: ProcessCountedLimit,
    options: ProcessCountedOptions = {},
  ) {
    this.clock = options.clock ?? Date.now;
    this.flushIntervalMs = options.flushIntervalMs ?? DEFAULT_FLUSH_INTERVAL_MS;
    this.staleAfterMs = options.staleAfterMs ?? DEFAULT_STALE_AFTER_MS;
  }

  /** Counts one attempt; throws RateLimitedError (Retry-After, which limit, its variable) when it is over the limit. */
  async consume(key: string, options: ProcessCountedConsume = {}): Promise<LimitState> {
    const points = options.points ?? this.limit.points;
    const cost = options.cost ?? 1;
    const rowKey = `${this.id.name}:${hashLimitKey(key)}`;
    const window = this.current(rowKey) ?? (await this.open(rowKey));
    window.unsent += cost;
    this.scheduleFlush();
    const consumed = window.stored + window.sending + window.unsent;
    const state = limitState(this.id, this.limit.windowSeconds, points, consumed, window.windowEndsAt - this.clock());
    options.report?.report(state);
    if (consumed > points) throw new RateLimitedError(state);
    return state;
  }

  /** Adds every count made here to PostgreSQL now; resolves when it is stored (or failed: the counts are kept for the next). */
  async flush(): Promise<void> {
    while (this.flushing) await this.flushing;
    const sent = this.takeUnsent();
    if (sent.length === 0) return;
    this.flushing = this.send(sent).finally(() => (this.flushing = undefined));
    await this.flushing;
  }

  /** Stops the timer after adding what is left. */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.flush();
  }

  /**
   * The key's window if this process knows it, it has not ended and its count
   * is fresh; an ended one is forgotten with its unsent counts, a stale one is
   * read again.
   */
  private current(rowKey: string): KeyWindow | undefined {
    const window = this.windows.get(rowKey);
    const now = this.clock();
    if (window && window.windowEndsAt > now) return now - window.readAt <= this.staleAfterMs ? window : undefined;
    if (window && window.sending === 0) this.windows.delete(rowKey);
    return undefined;
  }

  /** Reads the key's count (starting its window when none runs), once for all the attempts that arrive meanwhile. */
  private async open(rowKey: string): Promise<KeyWindow> {
    let opened = this.opening.get(rowKey);
    if (!opened) {
      opened = addToCounts(this.knex, [{ key: rowKey, add: 0 }], this.limit.windowSeconds, this.clock())
        .then(([answer]) => this.learn(answer!, 0))
        .finally(() => this.opening.delete(rowKey));
      this.opening.set(rowKey, opened);
    }
    await opened;
    const window = this.windows.get(rowKey);
    return window && window.windowEndsAt > this.clock() ? window : this.forceWindow(rowKey);
  }

  /** A window PostgreSQL answered as already ended (a clock behind the database's writers): counted here until the next answer. */
  private forceWindow(rowKey: string): KeyWindow {
    const now = this.clock();
    const window: KeyWindow = { windowEndsAt: now + this.limit.windowSeconds * 1000, readAt: now, stored: 0, sending: 0, unsent: 0 };
    this.windows.set(rowKey, window);
    return window;
  }

  private learn(answer: CountAnswer, sent: number): void {
    const known = this.windows.get(answer.key);
    if (!known || known.windowEndsAt !== answer.windowEndsAt) {
      // A new window (or the first answer): what this process counted meanwhile still belongs to it, unless it was in the old one.
      const unsent = known && known.windowEndsAt > this.clock() ? known.unsent : 0;
      this.windows.set(answer.key, { windowEndsAt: answer.windowEndsAt, readAt: this.clock(), stored: answer.count, sending: 0, unsent });
      return;
    }
    known.readAt = this.clock();
    known.stored = answer.count;
    // Never below 0: the window may have been read anew (and its sending reset) while this flush was out.
    known.sending = Math.max(0, known.sending - sent);
  }

  private takeUnsent(): { key: string; add: number }[] {
    const sent: { key: string; add: number }[] = [];
    const now = this.clock();
    for (const [key, window] of this.windows) {
      if (window.windowEndsAt <= now) {
        if (window.sending === 0) this.windows.delete(key);
        continue;
      }
      if (window.unsent === 0) continue;
      sent.push({ key, add: window.unsent });
      window.sending += window.unsent;
      window.unsent = 0;
    }
    return sent;
  }

  private async send(sent: readonly { key: string; add: number }[]): Promise<void> {
    try {
      const answers = await addToCounts(this.knex, sent, this.limit.windowSeconds, this.clock());
      const added = new Map(sent.map((delta) => [delta.key, delta.add]));
      for (const answer of answers) this.learn(answer, added.get(answer.key) ?? 0);
    } catch {
      // PostgreSQL away: the counts go back to be sent with the next flush; meanwhile this process goes on counting.
      for (const { key, add } of sent) {
        const window = this.windows.get(key);
        if (!window) continue;
        window.sending -= add;
        window.unsent += add;
      }
      this.scheduleFlush();
    }
  }

  private scheduleFlush(): void {
    if (this.timer || this.closed) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.flush();
    }, this.flushIntervalMs);
    // Counting never keeps a process alive; close() sends what is left.
    this.timer.unref();
  }
}
