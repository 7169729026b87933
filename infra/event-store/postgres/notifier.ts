import pg from 'pg';
import type { Logger } from '../../logging/logger.js';
import { PostgresListener } from '../../postgres/listener.js';

export const EVENTS_CHANNEL = 'chronicle_events';
const NOTIFY_SPACING_MS = 25;
/** A NOTIFY unanswered for this long means a dead connection: a new one sends the next. */
const NOTIFY_TIMEOUT_MS = 5_000;

/**
 * Wakes subscribers when events commit: in this process directly, in others
 * through LISTEN/NOTIFY. Notifications are sent after commit and outside the
 * append's transaction (NOTIFY inside it would serialise all commits on the
 * notify queue lock), and coalesced: at most one per NOTIFY_SPACING_MS, the
 * first after a quiet spell at once, so a busy writer sends a few dozen a
 * second instead of one per append. Other processes hear of a commit that much later.
 */
export class Notifier {
  private readonly waiters = new Set<() => void>();
  private wakeUpCount = 0;
  private readonly listener: PostgresListener;
  private sender: Promise<pg.Client> | undefined;
  private sending = false;
  private pending = false;
  private lastSentAt = 0;
  private closed = false;

  constructor(
    /** Where and how to connect (the store's liveness settings and socket registry); each session adds its name. */
    private readonly connection: pg.ClientConfig,
    private readonly logger: Logger,
    /** How often the LISTEN connection is checked for a silent network (listener.ts). */
    listenerCheckMs = 5_000,
  ) {
    this.listener = new PostgresListener({
      connection: { ...connection, application_name: 'chronicle-listener' },
      channel: EVENTS_CHANNEL,
      checkMs: listenerCheckMs,
      logger,
      messages: { lost: 'event listener connection lost; subscribers poll until it is back', unreachable: 'event listener cannot connect; subscribers poll until it is back' },
      onNotification: () => this.wakeLocal(),
      // Heard again after a loss: what was announced meanwhile was missed, so every subscriber looks.
      onListening: (listening) => {
        if (listening) this.wakeLocal();
      },
    });
  }

  /**
   * Listens when the database answers; when it does not (an outage while the
   * process starts), subscribers poll until the listener is back, as after
   * losing it later: a restart of PostgreSQL is never a reason to exit.
   */
  start(): Promise<void> {
    return this.listener.start();
  }

  /** Counts wake-ups, so that a reader can tell whether one came while it was busy. */
  get wakeUps(): number {
    return this.wakeUpCount;
  }

  /**
   * Resolves on the next wake-up or after `timeoutMs`, whichever comes first;
   * at once when wake-ups have come since the count `since` was taken.
   */
  wait(timeoutMs: number, signal?: AbortSignal, since?: number): Promise<void> {
    if (since !== undefined && since !== this.wakeUpCount) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.waiters.delete(done);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      this.waiters.add(done);
      signal?.addEventListener('abort', done, { once: true });
    });
  }

  /** Called after an append commits. */
  committed(): void {
    this.wakeLocal();
    this.pending = true;
    if (!this.sending) void this.send();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.wakeLocal();
    const sender = this.sender;
    this.sender = undefined;
    await Promise.all([this.listener.stop(), sender?.then((client) => client.end()).catch(() => undefined)]);
  }

  private wakeLocal(): void {
    this.wakeUpCount++;
    for (const wake of [...this.waiters]) wake();
  }

  /** Sends while commits are pending, at most one NOTIFY per NOTIFY_SPACING_MS. */
  private async send(): Promise<void> {
    this.sending = true;
    try {
      while (this.pending && !this.closed) {
        const wait = this.lastSentAt + NOTIFY_SPACING_MS - Date.now();
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
        if (this.closed) break;
        this.pending = false;
        this.lastSentAt = Date.now();
        try {
          const sender = await this.connectSender();
          await sender.query(`SELECT pg_notify('${EVENTS_CHANNEL}', '')`);
        } catch (error) {
          // Subscribers also poll, so a lost notification only delays them.
          this.discardSender();
          this.logger.debug({ err: error }, 'event notification failed');
        }
      }
    } finally {
      this.sending = false;
    }
  }

  /**
   * NOTIFY gives its transaction an id, and so a commit record; a session
   * of its own with asynchronous commit keeps that off the fsync path.
   */
  private connectSender(): Promise<pg.Client> {
    if (this.sender) return this.sender;
    const client = new pg.Client({ ...this.connection, application_name: 'chronicle-notifier', query_timeout: NOTIFY_TIMEOUT_MS });
    const opening = (async () => {
      try {
        await client.connect();
        await client.query('SET synchronous_commit = off');
      } catch (error) {
        await client.end().catch(() => undefined);
        throw error;
      }
      return client;
    })();
    client.on('error', () => {
      if (this.sender === opening) this.discardSender();
    });
    this.sender = opening;
    return opening;
  }

  /** Ends the sender's connection (a query that timed out leaves it unusable); the next send opens a new one. */
  private discardSender(): void {
    const sender = this.sender;
    this.sender = undefined;
    void sender?.then((client) => client.end()).catch(() => undefined);
  }
}
