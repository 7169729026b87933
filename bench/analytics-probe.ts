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
import { readFile } from 'node:fs/promises';
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
import { ANALYTICS_LOAD, batch, USER_AGENT } from './scenarios/analytics-events.js';
import { BENCH_LIMITS, BENCH_SCRYPT, writeKeyOf } from './scenarios/analytics.js';
import { appendIngestShaped, ingestShapedEvents } from './scenarios/analytics-raw-append.js';
import { withCpuProfile } from './support/cpu-profile.js';
import { measureLoad } from './support/load.js';
import { clusterCpuMs, startProbeDatabase } from './support/probe-database.js';

const argument = (name: string) => process.argv.find((arg) => arg.startsWith(`--${name}=`))?.slice(name.length + 3);
const roles = ['start', 'api', 'raw'] as const;
const role = roles.find((name) => name === argument('role')) ?? 'start';
const seconds = Number(argument('seconds') ?? 15);
const profileDir = argument('cpu-prof');

const probe = await startProbeDatabase('ingest-probe', argument('port') === undefined ? undefined : Number(argument('port')));
const { stats } = probe;
const url = probe.url;

const logger = createLogger('silent');
const runtime = new Runtime(logger);
const config = loadConfig({ DATABASE_URL: url, DB_POOL_SIZE: '10', HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'silent', ...BENCH_LIMITS });
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

  await stats.query('SELECT pg_stat_statements_reset()');
  const before = { node: process.cpuUsage(), pg: await clusterCpuMs(probe.postmasterPid), db: await databaseCounters(stats), acknowledged, load: (await readFile('/proc/loadavg', 'utf8')).split(' ').slice(0, 3).join(' ') };
  const load = await withCpuProfile(profileDir, `ingest-${role}`, () => measureLoad({ seconds, concurrency: ANALYTICS_LOAD.concurrency, warmUp: 0 }, (i) => post(i + next)));
  const node = process.cpuUsage(before.node);
  const pgMs = (await clusterCpuMs(probe.postmasterPid)) - before.pg;
  const db = await databaseCounters(stats);
  const events = acknowledged - before.acknowledged;
  const per100 = (value: number) => (value / events) * 100;
  const loadAfter = (await readFile('/proc/loadavg', 'utf8')).split(' ').slice(0, 3).join(' ');
  console.log(`role ${role}, ${seconds} s, load ${before.load} -> ${loadAfter}`);
  console.log(`${events} events acknowledged, ${Math.round(events / load.seconds)} events/s, p50 ${load.p50Ms.toFixed(0)} ms`);
  console.log(`per 100 events: Node ${per100((node.user + node.system) / 1000).toFixed(1)} ms (user ${per100(node.user / 1000).toFixed(1)}), PostgreSQL ${per100(pgMs).toFixed(1)} ms`);
  console.log(`per 100 events: commits ${per100(db.commits - before.db.commits).toFixed(2)}, WAL ${per100(db.walBytes - before.db.walBytes).toFixed(0)} bytes, rows inserted ${per100(db.inserted - before.db.inserted).toFixed(0)}`);
  for (const order of ['total_exec_time', 'calls']) {
    console.log(`statements by ${order}, per 100 events:`);
    const { rows } = await stats.query<{ calls: string; total: number; wal: string; query: string }>(
      `SELECT calls, total_exec_time AS total, wal_bytes AS wal, left(regexp_replace(query, '\\s+', ' ', 'g'), 120) AS query FROM pg_stat_statements ORDER BY ${order} DESC LIMIT 14`,
    );
    for (const row of rows) console.log(`${per100(Number(row.calls)).toFixed(2).padStart(7)} calls  ${per100(row.total).toFixed(2).padStart(7)} ms  ${per100(Number(row.wal)).toFixed(0).padStart(7)} B WAL  ${row.query}`);
  }
} finally {
  await runtime.stop();
  await probe.stop();
}

async function databaseCounters(client: pg.Client): Promise<{ commits: number; inserted: number; walBytes: number }> {
  const { rows } = await client.query<{ commits: string; inserted: string; wal: string }>(
    `SELECT (SELECT sum(xact_commit) FROM pg_stat_database) AS commits, (SELECT sum(tup_inserted) FROM pg_stat_database) AS inserted, (SELECT wal_bytes FROM pg_stat_wal) AS wal`,
  );
  const row = rows[0]!;
  return { commits: Number(row.commits), inserted: Number(row.inserted), walBytes: Number(row.wal) };
}
