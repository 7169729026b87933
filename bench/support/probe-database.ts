import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { createLogger } from '../../infra/logging/logger.js';
import { startEmbeddedPostgres } from '../../infra/postgres/embedded-postgres.js';
import { freePort } from '../../tests/support/free-port.js';
import { BENCH_POSTGRES_SETTINGS } from './server.js';

/** A durable embedded PostgreSQL as the bench runs it, with pg_stat_statements, and a database `probe` on it: for the narrow probes under bench/. */
export interface ProbeDatabase {
  /** The `probe` database's URL. */
  url: string;
  /** A session on it, for pg_stat_statements and the server's counters. */
  stats: pg.Client;
  /** The postmaster's pid: its children are the server's processes (clusterCpuMs). */
  postmasterPid: number;
  stop(): Promise<void>;
}

export async function startProbeDatabase(name: string, port?: number): Promise<ProbeDatabase> {
  const dataDir = await mkdtemp(path.join(tmpdir(), `chronicle-${name}-`));
  const server = await startEmbeddedPostgres({
    dataDir,
    port: port ?? (await freePort()),
    logger: createLogger('silent'),
    settings: { ...BENCH_POSTGRES_SETTINGS, shared_preload_libraries: 'pg_stat_statements', 'pg_stat_statements.track': 'all' },
  });
  const admin = new pg.Client(server.url);
  await admin.connect();
  await admin.query('CREATE DATABASE probe');
  await admin.end();
  const url = new URL(server.url);
  url.pathname = '/probe';
  const stats = new pg.Client(url.toString());
  await stats.connect();
  await stats.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
  const postmasterPid = Number((await readFile(path.join(dataDir, 'pg', 'postmaster.pid'), 'utf8')).split('\n')[0]);
  return {
    url: url.toString(),
    stats,
    postmasterPid,
    async stop() {
      await stats.end().catch(() => undefined);
      await server.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** Clock ticks a second in /proc (USER_HZ). */
const TICKS = 100;

/** CPU milliseconds of the cluster: the postmaster, its live children, and the children it has reaped (sessions that ended). */
export async function clusterCpuMs(postmasterPid: number): Promise<number> {
  // Fields after the command's name: ppid is 1, utime 11, stime 12, cutime 13, cstime 14.
  const fields = async (pid: string) => {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  };
  const own = await fields(String(postmasterPid));
  let ticks = Number(own[11] ?? 0) + Number(own[12] ?? 0) + Number(own[13] ?? 0) + Number(own[14] ?? 0);
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await fields(entry);
    if (Number(stat[1]) === postmasterPid) ticks += Number(stat[11] ?? 0) + Number(stat[12] ?? 0);
  }
  return (ticks / TICKS) * 1000;
}
