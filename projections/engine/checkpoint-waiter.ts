import pg from 'pg';
import type { Knex } from 'knex';
import type { Position } from '../../infra/event-store/event-store.js';
import type { Logger } from '../../infra/logging/logger.js';
import { clientLiveness } from '../../infra/postgres/connection-liveness.js';
import { SocketRegistry } from '../../infra/postgres/socket-registry.js';
import { ReadModelTimeoutError, UnknownProjectionError } from './errors.js';
import { PROJECTIONS_CHANNEL } from './projection-rows.js';

/** Stopping waits this long for the session to end politely (a silent network never lets it), then cuts the socket. */
const CLOSE_GRACE_MS = 2_000;

export interface CheckpointWaiterOptions {
  knex: Knex;
  /** For the LISTEN connection. */
  connectionString: string;
  projectionNames: readonly string[];
  logger: Logger;
  /** Fallback re-read while someone waits, in case a notification was lost. */
  pollMs?: number;
}

/**
 * Read your writes: `waitForPosition` resolves once every named projection's
 * committed checkpoint has reached the position. Commits NOTIFY with the new
 * checkpoint (delivered only at commit, so the rows are visible by then);
 * waiters re-read the checkpoints on each notification, one query shared by
 * all waiters, and poll as a fallback. A BackgroundService for the API process.
 */
export class CheckpointWaiter {
  readonly name = 'projection-checkpoints';
  private listener: pg.Client | undefined;
  private readonly waiters = new Set<() => void>();
  private refreshing: Promise<Map<string, Position | undefined>> | undefined;
  private stale = true;
  private checkpoints = new Map<string, Position | undefined>();
  private pollTimer: NodeJS.Timeout | undefined;
  private closed = false;
  private readonly sockets = new SocketRegistry();

  constructor(private readonly options: CheckpointWaiterOptions) {}

  async start(): Promise<void> {
    this.closed = false;
    const client = new pg.Client({ connectionString: this.options.connectionString, application_name: 'chronicle-checkpoint-listener', ...clientLiveness(), stream: this.sockets.socket });
    client.on('notification', () => this.invalidate());
    client.on('error', (error) => {
      // Waiters fall back to polling; a restart of the service reconnects.
      this.options.logger.warn({ err: error.message }, 'checkpoint listener connection lost');
      this.listener = undefined;
    });
    await client.connect();
    await client.query(`LISTEN ${PROJECTIONS_CHANNEL}`);
    this.listener = client;
  }

  async stop(): Promise<void> {
    this.closed = true;
    clearTimeout(this.pollTimer);
    this.invalidate();
    const listener = this.listener;
    this.listener = undefined;
    await this.sockets.closeWithin(CLOSE_GRACE_MS, () => listener?.end().catch(() => undefined) ?? Promise.resolve());
  }

  async waitForPosition(projectionNames: readonly string[], position: Position, timeoutMs: number): Promise<void> {
    for (const name of projectionNames) if (!this.options.projectionNames.includes(name)) throw new UnknownProjectionError(name);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const checkpoints = await this.current();
      const behind = projectionNames.filter((name) => {
        const checkpoint = checkpoints.get(name);
        return checkpoint === undefined || checkpoint < position;
      });
      if (behind.length === 0) return;
      const left = deadline - Date.now();
      if (left <= 0 || this.closed) {
        throw new ReadModelTimeoutError(
          position,
          behind.map((name) => ({ projection: name, checkpoint: checkpoints.get(name) === undefined ? null : String(checkpoints.get(name)) })),
          timeoutMs,
        );
      }
      await this.nextChange(left);
    }
  }

  private invalidate(): void {
    this.stale = true;
    for (const wake of [...this.waiters]) wake();
  }

  private nextChange(timeoutMs: number): Promise<void> {
    return new Promise((resolve) => {
      if (this.stale) return resolve();
      const pollMs = this.listener ? (this.options.pollMs ?? 1_000) : 100;
      const done = (): void => {
        clearTimeout(timer);
        this.waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(() => {
        this.stale = true;
        done();
      }, Math.min(timeoutMs, pollMs));
      this.waiters.add(done);
    });
  }

  private async current(): Promise<Map<string, Position | undefined>> {
    if (!this.stale) return this.checkpoints;
    this.refreshing ??= this.read().finally(() => (this.refreshing = undefined));
    return this.refreshing;
  }

  private async read(): Promise<Map<string, Position | undefined>> {
    this.stale = false;
    const rows = await this.options.knex('projections')
      .whereIn('name', [...this.options.projectionNames])
      .select<{ name: string; position: string | null }[]>('name', 'position');
    this.checkpoints = new Map(rows.map((row) => [row.name, row.position === null ? undefined : BigInt(row.position)]));
    return this.checkpoints;
  }
}
