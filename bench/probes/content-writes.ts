/**
 * Where a write's time goes: the content bench's write phases alone (raw
 * append at concurrency 16, POST /api/posts and PUT /api/posts/:id at 32), on
 * a durable embedded PostgreSQL of its own with pg_stat_statements loaded.
 * Per phase: requests/s, CPU per request of this Node process (server and
 * load client) and of PostgreSQL (every backend and helper), transactions per
 * request, and the statements that took the database's time.
 *
 *   npx tsx bench/probes/content-writes.ts [--seconds=5] [--cpu-prof=<dir>] [--top=12] [--role=start|api] [--client=process|worker|both] [--bare-read]
 *
 * --role=api: no projection runs in the process (what the writes cost without them);
 * --client=worker: POST and PUT loaded from a worker thread, off the server's event loop; both: in process, then from a worker.
 */
import { Worker } from 'node:worker_threads';
import type { LoadWorkerData, LoadWorkerResult } from './load-worker.js';
import { identityFeature } from '../../api/identity/index.js';
import { connectServices } from '../../app/connect-services.js';
import { features, withFeature } from '../../app/features.js';
import { startRole } from '../../app/processes.js';
import { Runtime } from '../../app/runtime.js';
import { loadConfig } from '../../infra/config/config.js';
import { createLogger } from '../../infra/logging/logger.js';
import { withCpuProfile } from '../support/cpu-profile.js';
import { clusterCpuMs, startProbeDatabase } from '../support/probe-database.js';
import { measureLoad, type LoadFigures } from '../support/load.js';
import { measureBareExpressRead } from '../scenarios/content-references.js';
import { benchEvent } from '../support/measure.js';
import { randomUUID } from 'node:crypto';

const argument = (name: string): string | undefined => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const SECONDS = Number(argument('seconds') ?? '5');
const CPU_PROF = argument('cpu-prof');
const TOP = Number(argument('top') ?? '12');
const BODY = 'Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore. '.repeat(5);

const logger = createLogger('silent');
const probe = await startProbeDatabase('writes-probe');
const { stats, postmasterPid } = probe;
const databaseUrl = probe.url;

const runtime = new Runtime(logger);
try {
  const config = loadConfig({ DATABASE_URL: databaseUrl, DB_POOL_SIZE: '20', HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'silent', RATE_LIMIT_SIGNUP_PER_IP: '1000' });
  const services = await connectServices(runtime, config, logger, withFeature(features, identityFeature({ scrypt: { N: 2 ** 10, r: 8, p: 1 } })));
  const http = await startRole(runtime, services, (argument('role') ?? 'start') as 'start' | 'api');
  const base = http.url;
  const signup = await (await fetch(`${base}/auth/signup`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: `probe-${Date.now()}@example.com`, password: 'correct horse battery staple' }) })).json() as { accessToken: string };
  const headers = { authorization: `Bearer ${signup.accessToken}`, 'content-type': 'application/json' };
  const send = async (method: string, path: string, status: number, body: unknown): Promise<{ id: string }> => {
    const response = await fetch(`${base}${path}`, { method, headers, body: JSON.stringify(body) });
    const text = await response.text();
    if (response.status !== status) throw new Error(`${method} ${path}: ${response.status} ${text.slice(0, 200)}`);
    return JSON.parse(text) as { id: string };
  };
  // Let the projections finish starting before anything is measured.
  await new Promise((resolve) => setTimeout(resolve, 3_000));
  const ids: string[] = [];
  const phase = (name: string, concurrency: number, work: (i: number) => Promise<void>): Promise<void> =>
    measured(name, () => measureLoad({ seconds: SECONDS, concurrency }, work));
  const measured = async (name: string, run: () => Promise<LoadFigures>): Promise<void> => {
    await stats.query('SELECT pg_stat_statements_reset()');
    const before = await snapshot();
    const figures = await withCpuProfile(CPU_PROF, `probe-${name.replace(/\W+/g, '-')}`, run);
    const after = await snapshot();
    await report(name, figures, before, after);
  };
  const rawAppend = (i: number) => services.eventStore.appendToStream(`benchappend-${randomUUID()}`, [{ ...benchEvent(i), type: 'BenchAppended' }], { expectedRevision: 'no_stream' }).then(() => undefined);
  await phase('raw-append', 16, rawAppend);
  const client = argument('client') ?? 'process';
  if (client === 'process' || client === 'both') {
    await phase('create', 32, async (i) => void ids.push((await send('POST', '/api/posts', 201, { title: `Post ${i}`, body: BODY, format: 'plain' })).id));
    await phase('update', 32, async (i) => void (await send('PUT', `/api/posts/${ids[Math.floor(Math.random() * ids.length)]}`, 200, { title: `Post ${i}, edited`, body: BODY })));
  }
  if (client === 'worker' || client === 'both') {
    // Warm-up and all: the worker's load is timed as the in-process one.
    const inWorker = async (kind: 'create' | 'update'): Promise<() => Promise<LoadFigures>> => {
      const data: LoadWorkerData = { base, headers, kind, seconds: SECONDS, concurrency: 32, body: BODY, ids };
      // The worker loads TypeScript through tsx's API: a worker does not inherit the tsx CLI's loader.
      const script = `import('tsx/esm/api').then(({ tsImport }) => tsImport(${JSON.stringify(new URL('./load-worker.ts', import.meta.url).href)}, ${JSON.stringify(import.meta.url)}))`;
      const worker = new Worker(script, { eval: true, workerData: data });
      await new Promise((resolve, reject) => {
        worker.once('message', resolve);
        worker.once('error', reject);
      });
      return () =>
        new Promise((resolve, reject) => {
          worker.once('message', (result: LoadWorkerResult) => {
            ids.push(...result.ids);
            resolve(result.figures);
          });
          worker.once('error', reject);
          worker.postMessage('go');
        });
    };
    await measured('create, load from a worker', await inWorker('create'));
    await measured('update, load from a worker', await inWorker('update'));
  }
  await phase('raw-append-again', 16, rawAppend);
  if (process.argv.includes('--bare-read')) {
    await measured('bare-read', () => measureBareExpressRead({ databaseUrl, poolSize: 20, rows: 10_000, title: (i) => `Post ${i}`, body: BODY }, { seconds: SECONDS, concurrency: 32 }));
  }
} finally {
  await runtime.stop();
  await probe.stop();
}


interface Snapshot {
  at: bigint;
  nodeCpuMs: number;
  nodeSystemMs: number;
  pgCpuMs: number;
  commits: number;
  rollbacks: number;
}

async function snapshot(): Promise<Snapshot> {
  const usage = process.cpuUsage();
  const { rows } = await stats.query<{ xact_commit: string; xact_rollback: string }>('SELECT xact_commit::text, xact_rollback::text FROM pg_stat_database WHERE datname = current_database()');
  return { at: process.hrtime.bigint(), nodeCpuMs: (usage.user + usage.system) / 1000, nodeSystemMs: usage.system / 1000, pgCpuMs: await clusterCpuMs(postmasterPid), commits: Number(rows[0]!.xact_commit), rollbacks: Number(rows[0]!.xact_rollback) };
}

async function report(name: string, figures: LoadFigures, before: Snapshot, after: Snapshot): Promise<void> {
  const n = figures.requests;
  const perRequest = (value: number): string => (value / n).toFixed(3);
  console.log(
    `\n== ${name}: ${figures.perSecond.toFixed(0)}/s (p50 ${figures.p50Ms.toFixed(1)}, p99 ${figures.p99Ms.toFixed(1)} ms), ${n} requests; ` +
      `per request: node ${perRequest(after.nodeCpuMs - before.nodeCpuMs)} ms CPU (${perRequest(after.nodeSystemMs - before.nodeSystemMs)} system), postgres ${perRequest(after.pgCpuMs - before.pgCpuMs)} ms CPU, ` +
      `${perRequest(after.commits - before.commits)} commits, ${perRequest(after.rollbacks - before.rollbacks)} rollbacks`,
  );
  const { rows } = await stats
    .query<{ calls: string; ms: number; rows: string; query: string }>(
      `SELECT calls::text, total_exec_time AS ms, rows::text, regexp_replace(left(query, 110), '\\s+', ' ', 'g') AS query
         FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
        ORDER BY total_exec_time DESC LIMIT ${TOP}`,
    );
  for (const row of rows) console.log(`  ${(Number(row.calls) / n).toFixed(3).padStart(7)} calls/req ${(row.ms / n).toFixed(3).padStart(7)} ms/req  ${row.query}`);
}
