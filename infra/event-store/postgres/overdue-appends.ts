import type pg from 'pg';
import type { Logger } from '../../logging/logger.js';
import { APPEND_LOCK } from './schema.js';

/**
 * Server sessions holding the append lock with a transaction older than the
 * limit. The age is judged by the server's clock, against the transaction's
 * own start, so the application's clock does not matter.
 */
const END_OVERDUE_SQL = `
  SELECT count(*) FILTER (WHERE pg_terminate_backend(a.pid))::int AS ended
    FROM pg_locks l
    JOIN pg_stat_activity a ON a.pid = l.pid
   WHERE l.locktype = 'advisory' AND l.classid = ${APPEND_LOCK.classId} AND l.objid = ${APPEND_LOCK.objId}
     AND l.objsubid = 2 AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
     AND a.backend_xid IS NOT NULL
     AND a.xact_start < clock_timestamp() - make_interval(secs => $1::float8 / 1000)`;

/**
 * Ends appends that outlived every deadline their clients had. The server
 * cancels a statement that runs too long, but an append whose connection went
 * silent between its statement and its commit waits for a message that never
 * comes: no server timeout applies to that wait, and only TCP keepalive ends
 * it when the client's host is really gone. Meanwhile it holds the horizon, so
 * subscribers that find it there end its session: its transaction rolls back
 * (its caller has long been told that the outcome is unknown).
 */
export class OverdueAppends {
  private running = false;

  constructor(
    private readonly pool: pg.Pool,
    private readonly limitMs: number,
    private readonly logger: Logger,
  ) {}

  /** Starts ending overdue appends unless that is under way already; failures are logged, not thrown. */
  end(): void {
    if (this.running) return;
    this.running = true;
    this.pool
      .query<{ ended: number }>({ name: 'chronicle_end_overdue_appends', text: END_OVERDUE_SQL, values: [this.limitMs] })
      .then(({ rows }) => {
        const ended = rows[0]?.ended ?? 0;
        if (ended > 0) this.logger.warn({ ended, limitMs: this.limitMs }, 'ended appends that held subscribers back past their deadline');
      })
      .catch((error: unknown) => this.logger.warn({ err: error instanceof Error ? error.message : String(error) }, 'could not end overdue appends'))
      .finally(() => (this.running = false));
  }
}
