/**
 * A narrow probe of the analytics ingest's cost, for profiling rather than
 * reporting: one installation (`--role=start`: API and projections in this
 * process; `--role=api`: the ingest alone) on a durable embedded PostgreSQL
 * with pg_stat_statements (`--role=raw`: no API, no projection, the raw
 * append of the ingest's own events, analytics-raw-append.ts, through the
 * installation's store), /v1/batch at the bench's load for `--seconds`
 * after a warm-up, then per 100 acknowledged events: Node's CPU
 * (process.cpuUsage, the bench's client included), the PostgreSQL server's
 * (its processes' /proc times), commits, WAL bytes, and the statements by
 * time. `--cpu-prof=DIR` writes the load phase's profile there.
 *
 *   tsx bench/analytics-probe.ts --role=api --seconds=15 [--cpu-prof=/tmp/prof]
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Knex } from 'knex';
import pg from 'pg';
import { identityFeature } from '../api/identity/index.js';
import { connectServices } from '../app/connect-services.js';
import { features, withFeature } from '../app/features.js';
import { startRole } from '../app/processes.js';
import { Runtime } from '../app/runtime.js';
import { loadConfig } from '../infra/config/config.js';
import type { EventStore } from '../infra/event-store/event-store.js';
import { createLogger } from '../infra/logging/logger.js';
import { startEmbeddedPostgres } from '../infra/postgres/embedded-postgres.js';
import { ANALYTICS_LOAD, batch, USER_AGENT } from './scenarios/analytics-events.js';
import { BENCH_LIMITS, BENCH_SCRYPT, writeKeyOf } from './scenarios/analytics.js';
import { appendIngestShaped, ingestShapedEvents } from './scenarios/analytics-raw-append.js';
import { withCpuProfile } from './support/cpu-profile.js';
import { measureLoad } from './support/load.js';

const argument = (name: string) => process.argv.find((arg) => arg.startsWith(`--${name}=`))?.slice(name.length + 3);
const roles = ['start', 'api', 'raw'] as const;
const role = roles.find((name) => name === argument('role')) ?? 'start';
const seconds = Number(argument('seconds') ?? 15);
const profileDir = argument('cpu-prof');
const port = Number(argument('port') ?? 55_000 + Math.floor(Math.random() * 5_000));

const dataDir = await mkdtemp(path.join(tmpdir(), 'chronicle-ingest-probe-'));
const server = await startEmbeddedPostgres({
  dataDir,
  port,
  logger: createLogger('silent'),
  settings: { fsync: 'on', synchronous_commit: 'on', shared_buffers: '1GB', max_wal_size: '8GB', checkpoint_timeout: '30min', shared_preload_libraries: 'pg_stat_statements' },
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

const logger = createLogger('silent');
const runtime = new Runtime(logger);
const config = loadConfig({ DATABASE_URL: url.toString(), DB_POOL_SIZE: '10', HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'silent', ...BENCH_LIMITS });
try {
  const services = await connectServices(runtime, config, logger, withFeature(features, identityFeature({ scrypt: BENCH_SCRYPT })));
  let acknowledged = 0;
  const post = role === 'raw' ? await rawAppends(services.eventStore, services.knex) : await batchPosts(await startRole(runtime, services, role));
  async function rawAppends(store: EventStore, knex: Knex): Promise<(i: number) => Promise<void>> {
    const template = await ingestShapedEvents(randomUUID(), knex);
    return async (i) => {
      await appendIngestShaped(store, template, i);
      acknowledged += template.length;
    };
  }
  async function batchPosts(http: { url: string }): Promise<(i: number) => Promise<void>> {
    const { writeKey } = await writeKeyOf(http.url);
    const authorization = `Basic ${Buffer.from(`${writeKey}:`).toString('base64')}`;
    return async (i: number) => {
      const response = await fetch(`${http.url}/v1/batch`, {
        method: 'POST',
        headers: { authorization, 'content-type': 'application/json', 'user-agent': USER_AGENT },
        body: JSON.stringify({ batch: batch(i), sentAt: new Date().toISOString() }),
      });
      const text = await response.text();
      if (response.status !== 200) throw new Error(`POST /v1/batch: ${response.status}: ${text.slice(0, 300)}`);
      acknowledged += (JSON.parse(text) as { accepted: number }).accepted;
    };
  }
  let next = 0;
  await measureLoad({ seconds: 5, concurrency: ANALYTICS_LOAD.concurrency }, (i) => post(i + next));
  next = 1_000_000;

  const postmaster = await postmasterPid(stats);
  await stats.query('SELECT pg_stat_statements_reset()');
  const before = { node: process.cpuUsage(), pg: await serverTicks(postmaster), db: await databaseCounters(stats), acknowledged, load: (await readFile('/proc/loadavg', 'utf8')).split(' ').slice(0, 3).join(' ') };
  const load = await withCpuProfile(profileDir, `ingest-${role}`, () => measureLoad({ seconds, concurrency: ANALYTICS_LOAD.concurrency, warmUp: 0 }, (i) => post(i + next)));
  const node = process.cpuUsage(before.node);
  const pgTicks = (await serverTicks(postmaster)) - before.pg;
  const db = await databaseCounters(stats);
  const events = acknowledged - before.acknowledged;
  const per100 = (value: number) => (value / events) * 100;
  const loadAfter = (await readFile('/proc/loadavg', 'utf8')).split(' ').slice(0, 3).join(' ');
  console.log(`role ${role}, ${seconds} s, load ${before.load} -> ${loadAfter}`);
  console.log(`${events} events acknowledged, ${Math.round(events / load.seconds)} events/s, p50 ${load.p50Ms.toFixed(0)} ms`);
  console.log(`per 100 events: Node ${per100((node.user + node.system) / 1000).toFixed(1)} ms (user ${per100(node.user / 1000).toFixed(1)}), PostgreSQL ${per100(pgTicks * 10).toFixed(1)} ms`);
  console.log(`per 100 events: commits ${per100(db.commits - before.db.commits).toFixed(2)}, WAL ${per100(db.walBytes - before.db.walBytes).toFixed(0)} bytes, rows inserted ${per100(db.inserted - before.db.inserted).toFixed(0)}`);
  for (const order of ['total_exec_time', 'calls']) {
    console.log(`statements by ${order}, per 100 events:`);
    const { rows } = await stats.query<{ calls: string; total: number; wal: string; query: string }>(
      `SELECT calls, total_exec_time AS total, wal_bytes AS wal, left(regexp_replace(query, '\\s+', ' ', 'g'), 120) AS query FROM pg_stat_statements ORDER BY ${order} DESC LIMIT 14`,
    );
    for (const row of rows) console.log(`${per100(Number(row.calls)).toFixed(2).padStart(7)} calls  ${per100(row.total).toFixed(2).padStart(7)} ms  ${per100(Number(row.wal)).toFixed(0).padStart(7)} B WAL  ${row.query}`);
  }
} finally {
  await stats.end();
  await runtime.stop();
  await server.stop();
  await rm(dataDir, { recursive: true, force: true });
}

async function postmasterPid(client: pg.Client): Promise<number> {
  const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
  const stat = await readFile(`/proc/${rows[0]!.pid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
}

/** User and system ticks of the postmaster's children alive now (the pools' sessions live through the run). */
async function serverTicks(postmaster: number): Promise<number> {
  let ticks = 0;
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(fields[1]) !== postmaster && Number(entry) !== postmaster) continue;
    ticks += Number(fields[11]) + Number(fields[12]);
  }
  return ticks;
}

async function databaseCounters(client: pg.Client): Promise<{ commits: number; inserted: number; walBytes: number }> {
  const { rows } = await client.query<{ commits: string; inserted: string; wal: string }>(
    `SELECT (SELECT sum(xact_commit) FROM pg_stat_database) AS commits, (SELECT sum(tup_inserted) FROM pg_stat_database) AS inserted, (SELECT wal_bytes FROM pg_stat_wal) AS wal`,
  );
  const row = rows[0]!;
  return { commits: Number(row.commits), inserted: Number(row.inserted), walBytes: Number(row.wal) };
}
