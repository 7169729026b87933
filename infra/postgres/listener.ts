import pg from 'pg';
import type { Logger } from '../logging/logger.js';

const RECONNECT_MS = 1_000;

export interface ListenerOptions {
  /** Where and how to connect: liveness settings, socket registry, application name. */
  connection: pg.ClientConfig;
  channel: string;
  /**
   * A LISTEN connection only hears, so a silent network would leave it deaf
   * for good without its noticing: it is asked a question this often, and
   * given up (and opened again) when no answer comes within as long.
   */
  checkMs: number;
  logger: Logger;
  /** Logged when the connection is lost, and when the first one cannot be opened. */
  messages: { lost: string; unreachable: string };
  onNotification(payload: string): void;
  /** Whether notifications are heard from now on; while they were not, some may have been missed. */
  onListening(listening: boolean): void;
}

/**
 * One LISTEN connection, kept open whatever the database does: opened again
 * a second after it is lost (an outage, a restart, a silent network found
 * by its check), never a reason to exit. What its owner does while it is
 * deaf (poll, trust nothing kept) is the owner's: `onListening` tells when.
 */
export class PostgresListener {
  private client: pg.Client | undefined;
  private closed = false;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private checkTimer: NodeJS.Timeout | undefined;

  constructor(private readonly options: ListenerOptions) {}

  /** Listens when the database answers; otherwise keeps trying in the background. */
  async start(): Promise<void> {
    this.closed = false;
    try {
      await this.listen();
    } catch (error) {
      this.options.logger.warn({ err: error instanceof Error ? error.message : String(error) }, this.options.messages.unreachable);
      this.scheduleReconnect();
    }
  }

  async stop(): Promise<void> {
    this.closed = true;
    clearTimeout(this.reconnectTimer);
    clearTimeout(this.checkTimer);
    const client = this.client;
    this.client = undefined;
    this.options.onListening(false);
    await client?.end().catch(() => undefined);
  }

  private async listen(): Promise<void> {
    const client = new pg.Client({ ...this.options.connection, query_timeout: this.options.checkMs });
    const lost = (): void => {
      if (this.client !== client) return;
      this.client = undefined;
      this.options.onListening(false);
      this.options.logger.warn(this.options.messages.lost);
      void client.end().catch(() => undefined);
      this.scheduleReconnect();
    };
    client.on('notification', (message) => this.options.onNotification(message.payload ?? ''));
    client.on('error', lost);
    client.on('end', lost);
    try {
      await client.connect();
      await client.query(`LISTEN ${this.options.channel}`);
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }
    if (this.closed) {
      await client.end().catch(() => undefined);
      return;
    }
    this.client = client;
    this.options.onListening(true);
    this.checkLater(client, lost);
  }

  private checkLater(client: pg.Client, lost: () => void): void {
    this.checkTimer = setTimeout(() => {
      if (this.client !== client) return;
      client.query('SELECT 1').then(() => this.checkLater(client, lost), lost);
    }, this.options.checkMs);
  }

  private scheduleReconnect(): void {
    if (this.closed || this.reconnectTimer) return;
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      if (this.closed) return;
      this.listen().catch(() => this.scheduleReconnect());
    }, RECONNECT_MS);
  }
}
