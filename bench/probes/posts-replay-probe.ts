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
import { loadavg } from 'node:os';
import { withCpuProfile } from '../support/cpu-profile.js';
import { clusterCpuMs, startProbeDatabase } from '../support/probe-database.js';
import { postsReplayPhases } from '../scenarios/content-replay.js';

const argument = (name: string) => process.argv.find((arg) => arg.startsWith(`--${name}=`))?.slice(name.length + 3);
const events = Number(argument('events') ?? 200_000);
const profileDir = argument('cpu-prof');
const withCopy = process.argv.includes('--copy');

const probe = await startProbeDatabase('replay-probe', argument('port') === undefined ? undefined : Number(argument('port')));
try {
  const { stats, postmasterPid } = probe;
  const url = probe.url;

  let serverBefore = 0;
  let nodeBefore = process.cpuUsage();
  const figures = await postsReplayPhases(url, events, {
    copyReferences: withCopy,
    aroundReplay: async (replay) => {
      await stats.query('SELECT pg_stat_statements_reset()');
      serverBefore = (await clusterCpuMs(postmasterPid)) / 1000;
      nodeBefore = process.cpuUsage();
      return withCpuProfile(profileDir, 'posts-replay', replay);
    },
    afterReplay: async () => {
      const node = process.cpuUsage(nodeBefore);
      const serverCpuSeconds = (await clusterCpuMs(postmasterPid)) / 1000 - serverBefore;
      const statements = await stats.query(
        `SELECT round(total_exec_time::numeric / 1000, 2) AS seconds, calls, rows, left(regexp_replace(query, '\\s+', ' ', 'g'), 110) AS query
           FROM pg_stat_statements ORDER BY total_exec_time DESC LIMIT 8`,
      );
      return { serverCpuSeconds, nodeCpuSeconds: (node.user + node.system) / 1e6, statements: statements.rows };
    },
  });
  console.log(JSON.stringify({ load: loadavg().map((value) => Number(value.toFixed(2))), ...figures }, null, 2));
} finally {
  await probe.stop();
}
