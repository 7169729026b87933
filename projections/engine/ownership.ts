import pg from 'pg';
import { clientLiveness, SERVER_SIDE_LIVENESS, sessionOptions } from '../../infra/postgres/connection-liveness.js';
import { SocketRegistry } from '../../infra/postgres/socket-registry.js';

/** The advisory lock class of projection ownership; the object id is projections.lock_key. */
export const OWNERSHIP_LOCK_CLASS = 7320;
/** A lock query unanswered for this long means a dead connection (a silent network): it is given up. */
const LOCK_QUERY_TIMEOUT_MS = 10_000;
/** Closing waits this long for the session to end politely (a silent network never lets it), then cuts the socket. */
const CLOSE_GRACE_MS = 2_000;

/**
 * Session advisory locks on one dedicated connection: holding a projection's
 * lock makes this process its owner. When the process dies (even SIGKILL) the
 * server ends the session and frees the locks at once, so another worker
 * takes over on its next attempt. The lock only decides who should work;
 * the fence checked by every commit is what keeps a former owner from writing.
 */
export class AdvisoryLocks {
  private client: pg.Client | undefined;
  private connecting: Promise<pg.Client> | undefined;
  private readonly held = new Set<number>();
  private readonly sockets = new SocketRegistry();

  constructor(
    private readonly connectionString: string,
    /** Called once when the connection is lost with locks held: they are gone. */
    private readonly onLost: (keys: number[]) => void,
  ) {}

  /** Tries each key without waiting; answers the keys now held. */
  async tryAcquire(keys: readonly number[]): Promise<number[]> {
    const wanted = keys.filter((key) => !this.held.has(key));
    if (wanted.length === 0) return [];
    const client = await this.connect();
    let rows: Array<{ key: number; locked: boolean }>;
    try {
      ({ rows } = await client.query<{ key: number; locked: boolean }>(
        `SELECT key, pg_try_advisory_lock(${OWNERSHIP_LOCK_CLASS}, key) AS locked FROM unnest($1::int[]) AS key`,
        [wanted],
      ));
    } catch (error) {
      // Unanswered, the connection is unusable and the locks it holds are in
      // doubt: give it up (its 'end' reports them lost); the next attempt opens another.
      void client.end().catch(() => undefined);
      throw error;
    }
    const acquired = rows.filter((row) => row.locked).map((row) => row.key);
    for (const key of acquired) this.held.add(key);
    return acquired;
  }

  async release(key: number): Promise<void> {
    if (!this.held.delete(key)) return;
    await this.client?.query(`SELECT pg_advisory_unlock(${OWNERSHIP_LOCK_CLASS}, $1)`, [key]).catch(() => undefined);
  }

  async close(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    this.held.clear();
    await this.sockets.closeWithin(CLOSE_GRACE_MS, () => client?.end().catch(() => undefined) ?? Promise.resolve());
  }

  private connect(): Promise<pg.Client> {
    if (this.client) return Promise.resolve(this.client);
    this.connecting ??= this.open().finally(() => (this.connecting = undefined));
    return this.connecting;
  }

  private async open(): Promise<pg.Client> {
    // Server-side keepalive frees the locks of a vanished host, not only of a dead process.
    const client = new pg.Client({
      connectionString: this.connectionString,
      application_name: 'chronicle-projection-owner',
      options: sessionOptions(SERVER_SIDE_LIVENESS),
      query_timeout: LOCK_QUERY_TIMEOUT_MS,
      ...clientLiveness(),
      stream: this.sockets.socket,
    });
    const lost = (): void => {
      if (this.client !== client) return;
      this.client = undefined;
      const keys = [...this.held];
      this.held.clear();
      client.end().catch(() => undefined);
      if (keys.length > 0) this.onLost(keys);
    };
    client.on('error', lost);
    client.on('end', lost);
    await client.connect();
    this.client = client;
    return client;
  }
}
