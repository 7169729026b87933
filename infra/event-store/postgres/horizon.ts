import type pg from 'pg';
import { APPEND_LOCK } from './schema.js';

/**
 * The horizon is the lowest transaction id an append may still commit with.
 * Every event below it is committed and visible, and no event can appear below
 * it later, so readers that stop there never skip a late commit.
 *
 * Appenders hold a shared advisory lock (APPEND_LOCK) from before their
 * transaction id is assigned until after their commit is visible. The horizon
 * is the smaller of the snapshot's xmax (taken first, at statement start) and
 * the ids of the appenders that hold the lock. Unlike the database-wide xmin,
 * a transaction left open elsewhere (a report, a projection, a forgotten psql
 * session) cannot hold it back: only appends can, and each append is a single
 * bounded statement.
 */
const HORIZON_SQL = `
  SELECT pg_snapshot_xmax(pg_current_snapshot())::text AS xmax,
         COALESCE(array_agg(a.backend_xid::text) FILTER (WHERE a.backend_xid IS NOT NULL), '{}') AS xids,
         min(a.xact_start) FILTER (WHERE a.backend_xid IS NOT NULL) AS oldest_start
    FROM pg_locks l
    JOIN pg_stat_activity a ON a.pid = l.pid
   WHERE l.locktype = 'advisory' AND l.classid = ${APPEND_LOCK.classId} AND l.objid = ${APPEND_LOCK.objId}
     AND l.objsubid = 2 AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())`;

export interface Horizon {
  txId: bigint;
  /** When the oldest in-flight append began, if one holds the horizon back. */
  oldestAppendStartedAt: Date | undefined;
}

interface HorizonRow {
  xmax: string;
  xids: string[];
  oldest_start: Date | null;
}

export async function readHorizon(db: pg.Pool | pg.PoolClient): Promise<Horizon> {
  // One statement, so the lock scan happens after the snapshot that gave xmax.
  const { rows } = await db.query<HorizonRow>({ name: 'chronicle_horizon', text: HORIZON_SQL });
  const row = rows[0];
  if (!row) throw new Error('horizon query returned no row');
  const xmax = BigInt(row.xmax);
  let horizon = xmax;
  for (const xid32 of row.xids) {
    const full = widenXid(BigInt(xid32), xmax);
    if (full < horizon) horizon = full;
  }
  return { txId: horizon, oldestAppendStartedAt: horizon < xmax ? (row.oldest_start ?? undefined) : undefined };
}

const EPOCH = 1n << 32n;
const HALF_EPOCH = 1n << 31n;

/**
 * pg_stat_activity shows 32-bit xids; give one the epoch that puts it nearest
 * `nearby`. It may lie above `nearby`: ids assigned after our snapshot.
 */
export function widenXid(xid32: bigint, nearby: bigint): bigint {
  const candidate = (nearby & ~(EPOCH - 1n)) | xid32;
  if (candidate > nearby + HALF_EPOCH) return candidate - EPOCH;
  if (candidate < nearby - HALF_EPOCH) return candidate + EPOCH;
  return candidate;
}
