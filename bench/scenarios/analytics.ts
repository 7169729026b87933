/**
 * Analytics ingest end to end (issue 12, point 10): sustained POST /v1/batch
 * (100 events a request, concurrency 8) against a whole Chronicle (the
 * warehouse projection included) on a durable PostgreSQL; then the wait until
 * the warehouse holds every acknowledged event, and the count check. Two
 * installations: one process (`chronicle start`: API and projection workers
 * on one event loop, in the bench's own process), and the deployment the
 * README describes, `chronicle api` and `chronicle worker` as processes of
 * their own beside the bench's client. The reference, in the same run: COPY
 * of the same rows into a fact table of the warehouse's own definition
 * (partitions and indexes), the limit for a loader.
 */
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { Knex } from 'knex';
import { identityFeature } from '../../api/identity/index.js';
import { connectServices } from '../../app/connect-services.js';
import { features, withFeature } from '../../app/features.js';
import { startRole } from '../../app/processes.js';
import { Runtime } from '../../app/runtime.js';
import { loadConfig } from '../../infra/config/config.js';
import type { EventStore } from '../../infra/event-store/event-store.js';
import { PostgresEventStore } from '../../infra/event-store/postgres/postgres-event-store.js';
import { createLogger } from '../../infra/logging/logger.js';
import { createKnex } from '../../infra/postgres/knex.js';
import { createMonthPartition, monthOf } from '../../projections/warehouse/fact-partitions.js';
import { createWarehouseTables, FACT_COLUMNS, WAREHOUSE_TABLES, type WarehouseTables } from '../../projections/warehouse/warehouse-tables.js';
import { ChildProcessHandle } from '../feed/child-rpc.js';
import { timedCopyFromStdin, type CopyFigure } from '../projections-replay-copy.js';
import { measureLoad, type LoadFigures } from '../support/load.js';
import { ANALYTICS_LOAD, batch, USER_AGENT } from './analytics-events.js';
import { ingestShapedEvents, measureRawAppends, type RawAppendFigure } from './analytics-raw-append.js';
import type { AnalyticsRoleApi } from './analytics-role-api.js';

export { ANALYTICS_LOAD };

const PASSWORD = 'correct horse battery staple';
export const BENCH_SCRYPT = { N: 2 ** 10, r: 8, p: 1 };
/** A warehouse that does not catch up ends the bench with a reason rather than a hang. */
const CATCH_UP_LIMIT_MS = 600_000;
const ROLE_SCRIPT = fileURLToPath(new URL('./analytics-role-process.ts', import.meta.url));
/** Generous limits: the bench measures ingest, not the limiters' refusals. */
export const BENCH_LIMITS = {
  RATE_LIMIT_SIGNUP_PER_IP: '1000',
  ANALYTICS_RATE_LIMIT_EVENTS_PER_KEY: '1000000000',
  // The write key's own request rate (600 a minute unless set) would answer 429 within seconds of the load.
  API_KEY_DEFAULT_RATE_LIMIT_PER_MINUTE: '100000000',
};

/** `one-process`: `chronicle start` in the bench's process; `api-and-worker`: `chronicle api` and `chronicle worker` in processes of their own. */
export type AnalyticsInstallation = 'one-process' | 'api-and-worker';

export interface AnalyticsBenchOptions {
  databaseUrl: string;
  seconds: number;
  poolSize: number;
  installation: AnalyticsInstallation;
}

export interface AnalyticsBenchResult {
  load: LoadFigures;
  /** Events the server acknowledged (accepted), warm-up included. */
  acknowledged: number;
  acknowledgedPerSecond: number;
  /** Acknowledged events over the time from the first request until the warehouse held them all. */
  endToEndPerSecond: number;
  /** When the load stopped: events acknowledged but not yet in the warehouse, and how long it took to take them in. */
  lagEventsAtEnd: number;
  catchUpSeconds: number;
  /** In the warehouse at the end: facts, dedup ids and the minute rollup's sum, each of which must equal `acknowledged`. */
  facts: number;
  factIds: number;
  minuteCounts: number;
  copy: CopyFigure;
  /** The raw append of the same events into this installation's log after the load, its projections running (analytics-raw-append.ts). */
  rawAppendWithProjections: RawAppendFigure;
}

/** A running installation: where its API listens, a pool for the bench's own queries, and how to stop it all. */
interface Installation {
  url: string;
  knex: Knex;
  /** A store appending to this installation's log, and how to let it go. */
  appendingStore(): Promise<{ store: EventStore; release(): Promise<void> }>;
  stop(): Promise<void>;
}

export async function analyticsBenchmark(options: AnalyticsBenchOptions): Promise<AnalyticsBenchResult> {
  const installation = options.installation === 'one-process' ? await oneProcess(options) : await apiAndWorker(options);
  try {
    return await measure(options, installation);
  } finally {
    await installation.stop();
  }
}

async function oneProcess(options: AnalyticsBenchOptions): Promise<Installation> {
  const logger = createLogger('silent');
  const runtime = new Runtime(logger);
  const config = loadConfig({ DATABASE_URL: options.databaseUrl, DB_POOL_SIZE: String(options.poolSize), HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'silent', ...BENCH_LIMITS });
  try {
    const services = await connectServices(runtime, config, logger, withFeature(features, identityFeature({ scrypt: BENCH_SCRYPT })));
    const server = await startRole(runtime, services, 'start');
    // The installation's own store: the raw appends share its pool and append batcher, as the ingest's would.
    const appendingStore = async () => ({ store: services.eventStore, release: async () => {} });
    return { url: server.url, knex: services.knex, appendingStore, stop: () => runtime.stop() };
  } catch (error) {
    await runtime.stop();
    throw error;
  }
}

async function apiAndWorker(options: AnalyticsBenchOptions): Promise<Installation> {
  const started: ChildProcessHandle<AnalyticsRoleApi>[] = [];
  const knex = createKnex(options.databaseUrl, 2);
  const stop = async () => {
    for (const child of started.reverse()) {
      await child.call('stop', null).catch(() => undefined);
      await child.exited;
    }
    await knex.destroy();
  };
  try {
    const start = async (role: 'api' | 'worker') => {
      const child = new ChildProcessHandle<AnalyticsRoleApi>(ROLE_SCRIPT, {
        env: {
          PATH: process.env.PATH ?? '',
          HOME: process.env.HOME ?? '',
          ROLE: role,
          DATABASE_URL: options.databaseUrl,
          EVENTSTORE_URL: '',
          DB_POOL_SIZE: String(options.poolSize),
          HOST: '127.0.0.1',
          PORT: '0',
          LOG_LEVEL: 'warn',
          ...BENCH_LIMITS,
        },
      });
      started.push(child);
      return (await child.call('listen', null)).url;
    };
    // The API first: it applies the migrations the worker then finds done.
    const url = await start('api');
    await start('worker');
    // The bench's own store on the installation's database: the worker's projections hear of its commits by NOTIFY, as of the API's.
    const appendingStore = async () => {
      const store = await PostgresEventStore.connect({ connectionString: options.databaseUrl, logger: createLogger('silent'), poolSize: options.poolSize });
      return { store, release: () => store.close() };
    };
    return { url, knex, appendingStore, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

async function measure(options: AnalyticsBenchOptions, installation: Installation): Promise<AnalyticsBenchResult> {
  const { knex } = installation;
  const { tenantId, writeKey } = await writeKeyOf(installation.url);
  const authorization = `Basic ${Buffer.from(`${writeKey}:`).toString('base64')}`;
  await waitFor(async () => (await knex.raw<{ rows: { found: string | null }[] }>(`SELECT to_regclass('warehouse.fact_ids') AS found`)).rows[0]?.found != null, CATCH_UP_LIMIT_MS);

  let acknowledged = 0;
  let lastPosition = 0n;
  const started = performance.now();
  const load = await measureLoad({ seconds: options.seconds, concurrency: ANALYTICS_LOAD.concurrency }, async (i) => {
    const response = await fetch(`${installation.url}/v1/batch`, {
      method: 'POST',
      headers: { authorization, 'content-type': 'application/json', 'user-agent': USER_AGENT },
      body: JSON.stringify({ batch: batch(i), sentAt: new Date().toISOString() }),
    });
    const text = await response.text();
    if (response.status !== 200) throw new Error(`POST /v1/batch: ${response.status}: ${text.slice(0, 300)}`);
    const answer = JSON.parse(text) as { accepted: number; duplicates: number; rejected: unknown[]; position: string | null };
    if (answer.accepted !== ANALYTICS_LOAD.eventsPerRequest) throw new Error(`POST /v1/batch accepted ${answer.accepted} of ${ANALYTICS_LOAD.eventsPerRequest}: ${text.slice(0, 300)}`);
    acknowledged += answer.accepted;
    if (answer.position !== null && BigInt(answer.position) > lastPosition) lastPosition = BigInt(answer.position);
  });
  const loadEnded = performance.now();
  const lagEventsAtEnd = acknowledged - (await countFactIds(knex, tenantId));
  // The checkpoint, not a count over a growing table, so the wait costs the warehouse nothing.
  await waitFor(async () => (await warehouseCheckpoint(knex)) >= lastPosition, CATCH_UP_LIMIT_MS);
  const caughtUp = performance.now();
  const totals = await warehouseTotals(knex, tenantId);
  const copy = await copyReference(options.databaseUrl, knex);
  const rawAppendWithProjections = await rawAppendReference(installation, tenantId, options.seconds);
  return {
    load,
    acknowledged,
    acknowledgedPerSecond: acknowledged / ((loadEnded - started) / 1000),
    endToEndPerSecond: acknowledged / ((caughtUp - started) / 1000),
    lagEventsAtEnd,
    catchUpSeconds: (caughtUp - loadEnded) / 1000,
    ...totals,
    copy,
    rawAppendWithProjections,
  };
}

/** After the load and the count check: the same events appended raw to the running installation's log (its projections taking them in), tenant and all. */
async function rawAppendReference(installation: Installation, tenantId: string, seconds: number): Promise<RawAppendFigure> {
  const template = await ingestShapedEvents(tenantId, installation.knex);
  const { store, release } = await installation.appendingStore();
  try {
    return await measureRawAppends(store, template, seconds);
  } finally {
    await release();
  }
}

export async function writeKeyOf(baseUrl: string): Promise<{ tenantId: string; writeKey: string }> {
  const signup = await send<{ accessToken: string; user: { tenantId: string } }>(baseUrl, 'POST', '/auth/signup', 201, { email: `bench-${randomUUID()}@example.com`, password: PASSWORD });
  const key = await send<{ key: string }>(baseUrl, 'POST', '/api/api-keys', 201, { name: 'bench write key', scopes: ['ingest'] }, signup.accessToken);
  return { tenantId: signup.user.tenantId, writeKey: key.key };
}

async function send<T>(baseUrl: string, method: string, path: string, status: number, body: unknown, token?: string): Promise<T> {
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  if (response.status !== status) throw new Error(`${method} ${path}: expected ${status}, got ${response.status}: ${text.slice(0, 200)}`);
  return JSON.parse(text) as T;
}

async function countFactIds(knex: Knex, tenantId: string): Promise<number> {
  const { rows } = await knex.raw<{ rows: { n: string }[] }>('SELECT count(*) AS n FROM warehouse.fact_ids WHERE tenant_id = ?', [tenantId]);
  return Number(rows[0]!.n);
}

async function warehouseCheckpoint(knex: Knex): Promise<bigint> {
  const row = await knex('projections').where({ name: 'warehouse' }).first<{ position: string | null } | undefined>('position');
  return row?.position ? BigInt(row.position) : 0n;
}

async function warehouseTotals(knex: Knex, tenantId: string): Promise<{ facts: number; factIds: number; minuteCounts: number }> {
  const { rows } = await knex.raw<{ rows: { facts: string; fact_ids: string; minute: string | null }[] }>(
    `SELECT (SELECT count(*) FROM warehouse.facts WHERE tenant_id = ?) AS facts,
            (SELECT count(*) FROM warehouse.fact_ids WHERE tenant_id = ?) AS fact_ids,
            (SELECT sum(count) FROM warehouse.event_counts_minute WHERE tenant_id = ?) AS minute`,
    [tenantId, tenantId, tenantId],
  );
  const row = rows[0]!;
  return { facts: Number(row.facts), factIds: Number(row.fact_ids), minuteCounts: Number(row.minute ?? 0) };
}

/** The warehouse's facts, COPYed into fresh tables of the warehouse's definition: its month partitions and indexes. */
async function copyReference(databaseUrl: string, knex: Knex): Promise<CopyFigure> {
  const tables = Object.fromEntries(WAREHOUSE_TABLES.map((name) => [name, `bench_copy.${name}`])) as WarehouseTables;
  const { rows } = await knex.raw<{ rows: { month: Date }[] }>(`SELECT DISTINCT date_trunc('month', occurred_at, 'UTC') AS month FROM warehouse.facts`);
  const columns = FACT_COLUMNS.join(', ');
  return timedCopyFromStdin(databaseUrl, `SELECT ${columns} FROM warehouse.facts`, `bench_copy.facts (${columns})`, async () => {
    await knex.raw('DROP SCHEMA IF EXISTS bench_copy CASCADE; CREATE SCHEMA bench_copy');
    await knex.transaction(async (trx) => {
      await createWarehouseTables(trx, tables, true);
      for (const { month } of rows) await createMonthPartition(trx, tables.facts, monthOf(month));
    });
  });
}

async function waitFor(check: () => Promise<boolean>, limitMs: number): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`the warehouse did not catch up within ${limitMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
