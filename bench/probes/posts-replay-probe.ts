/**
 * A narrow probe of the posts replay (bench item 15's REPLAY figure) on a
 * durable embedded PostgreSQL of its own, set up as the bench's: the replay
 * of N post events timed, with this process's CPU (and its profile with
 * --cpu-prof=<dir>), the server's CPU from /proc (every process of the
 * cluster, exited backends included) and, with --copy, the bench's COPY
 * references over the same rows.
 *
 *   npx tsx bench/probes/posts-replay-probe.ts --events=200000 [--copy] [--cpu-prof=/tmp/prof]
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { createLogger } from '../../infra/logging/logger.js';
import { startEmbeddedPostgres } from '../../infra/postgres/embedded-postgres.js';
import { withCpuProfile } from '../support/cpu-profile.js';
import { postsReplayPhases } from '../scenarios/content-replay.js';

const argument = (name: string) => process.argv.find((arg) => arg.startsWith(`--${name}=`))?.slice(name.length + 3);
const events = Number(argument('events') ?? 200_000);
const profileDir = argument('cpu-prof');
const withCopy = process.argv.includes('--copy');
const port = Number(argument('port') ?? 55_000 + Math.floor(Math.random() * 5_000));

const dataDir = await mkdtemp(path.join(tmpdir(), 'chronicle-replay-probe-'));
const server = await startEmbeddedPostgres({
  dataDir,
  port,
  logger: createLogger('silent'),
  settings: { fsync: 'on', synchronous_commit: 'on', shared_buffers: '1GB', max_wal_size: '8GB', checkpoint_timeout: '30min', shared_preload_libraries: 'pg_stat_statements' },
});
try {
  const admin = new pg.Client(server.url);
  await admin.connect();
  await admin.query('CREATE DATABASE probe');
  await admin.end();
  const url = new URL(server.url);
  url.pathname = '/probe';
  const stats = new pg.Client(url.toString());
  await stats.connect();
  await stats.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
  const postmaster = Number((await readFile(path.join(dataDir, 'pg', 'postmaster.pid'), 'utf8')).split('\n')[0]);

  let serverBefore = 0;
  let nodeBefore = process.cpuUsage();
  const figures = await postsReplayPhases(url.toString(), events, {
    copyReferences: withCopy,
    aroundReplay: async (replay) => {
      await stats.query('SELECT pg_stat_statements_reset()');
      serverBefore = await clusterCpuSeconds(postmaster);
      nodeBefore = process.cpuUsage();
      return withCpuProfile(profileDir, 'posts-replay', replay);
    },
    afterReplay: async () => {
      const node = process.cpuUsage(nodeBefore);
      const serverCpuSeconds = (await clusterCpuSeconds(postmaster)) - serverBefore;
      const statements = await stats.query(
        `SELECT round(total_exec_time::numeric / 1000, 2) AS seconds, calls, rows, left(regexp_replace(query, '\\s+', ' ', 'g'), 110) AS query
           FROM pg_stat_statements ORDER BY total_exec_time DESC LIMIT 8`,
      );
      return { serverCpuSeconds, nodeCpuSeconds: (node.user + node.system) / 1e6, statements: statements.rows };
    },
  });
  await stats.end();
  console.log(JSON.stringify({ load: loadavg().map((value) => Number(value.toFixed(2))), ...figures }, null, 2));
} finally {
  await server.stop();
  await rm(dataDir, { recursive: true, force: true });
}

/** CPU seconds of the cluster: the postmaster, its live children, and the children it has reaped. */
async function clusterCpuSeconds(postmaster: number): Promise<number> {
  const ticks = 100;
  const fields = async (pid: number) => (await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '')).replace(/^.*\) /, '').split(' ');
  const own = await fields(postmaster);
  // Fields after the command: state is 0, utime 11, stime 12, cutime 13, cstime 14, ppid 1.
  let total = Number(own[11]) + Number(own[12]) + Number(own[13]) + Number(own[14]);
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await fields(Number(entry));
    if (Number(stat[1]) === postmaster) total += Number(stat[11]) + Number(stat[12]);
  }
  return total / ticks;
}
