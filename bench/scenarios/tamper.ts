import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { Knex } from 'knex';
import { allMigrations } from '../../app/migrations.js';
import type { EventStore } from '../../infra/event-store/event-store.js';
import { PostgresEventStore } from '../../infra/event-store/postgres/postgres-event-store.js';
import { createLogger } from '../../infra/logging/logger.js';
import { createKnex } from '../../infra/postgres/knex.js';
import { migrateToLatest } from '../../infra/postgres/migrations.js';
import { auditChainProjection } from '../../projections/audit/audit-chain-projection.js';
import { verifyChain } from '../../projections/audit/verify-chain.js';
import { postgresLogCounter, ProjectionEngine } from '../../projections/index.js';
import { loadLog } from '../projections-replay-model.js';
import type { ScenarioResult } from '../report.js';
import { benchEvent, median, runConcurrently, timed } from '../support/measure.js';
import { BENCH_DEADLINES, type BenchServer } from '../support/server.js';
import { spawnWorkerScript } from '../../tests/support/child-worker.js';
import { cpuMs } from '../feed/process-usage.js';

const SEAL_WORKER = fileURLToPath(new URL('../support/seal-worker.ts', import.meta.url));

export interface TamperBenchOptions {
  /** Events in the log that verify reads. */
  events: number;
  /** Pairs of rounds of appends, one with the seal off and one with it on, in alternating order. */
  rounds: number;
}

const logger = createLogger('silent');
const APPENDS = [
  // Rounds of about 3 s: a round of 1 s held 4 of the seal's batches (it follows every 250 ms), and its last one fell after the timing.
  { name: '1 event per append, concurrency 16', concurrency: 16, eventsPerAppend: 1, appends: 12_000 },
  { name: '100 events per append, concurrency 4', concurrency: 4, eventsPerAppend: 100, appends: 900 },
];

/** `npm run bench -- --only=tamper`: the seal's verify rate on a large log, and what sealing costs appends. */
export async function tamperResults(server: BenchServer, options: TamperBenchOptions): Promise<ScenarioResult[]> {
  const verify = await verifyResult(await server.createDatabase('bench_tamper_verify'), options);
  console.error('done: tamper verify');
  const appends = await appendResults(await server.createDatabase('bench_tamper_append'), options);
  console.error('done: tamper appends');
  return [verify, ...appends];
}

async function verifyResult(databaseUrl: string, options: TamperBenchOptions): Promise<ScenarioResult> {
  return withStore(databaseUrl, async (knex, store) => {
    await loadLog(knex, options.events);
    const engine = sealEngine(knex, store, databaseUrl);
    const sealSeconds = await timed(async () => {
      await engine.start();
      await sealedToHead(knex, store);
    });
    await engine.stop();
    await knex.raw('VACUUM (ANALYZE)');
    const rates: number[] = [];
    for (let round = 0; round < 3; round++) {
      let checked = 0;
      const seconds = await timed(async () => {
        const report = await verifyChain(knex, store);
        if (!report.ok || report.checked !== options.events) throw new Error(`verify checked ${report.checked} of ${options.events} events, ok ${report.ok}`);
        checked = report.checked;
      });
      rates.push(checked / seconds);
    }
    const rate = median(rates);
    return {
      scenario: `audit verify, whole log of ${options.events.toLocaleString('en-US')} events`,
      unit: 'events/s',
      figures: { 'audit verify': Math.round(rate), 'seal (projection, from empty)': Math.round(options.events / sealSeconds) },
      ours: 'audit verify',
      peers: [],
      target: { description: 'at least 200,000 events/s', met: rate >= 200_000 },
      notes: `verify rounds ${rates.map((r) => Math.round(r).toLocaleString('en-US')).join(', ')} events/s; the seal built the chain of the loaded log in ${sealSeconds.toFixed(1)} s`,
    };
  });
}

/**
 * The same appends in pairs of rounds, one with no seal and one with the
 * seal running live beside them in a worker process of its own, as in
 * production (`chronicle worker`): appends never wait for it, so what it
 * costs them is the machine it shares (CPU, PostgreSQL). The order within a
 * pair alternates (off then on, then on then off), so that a drift of the
 * machine or the growing log does not fall on one side; the ratio that
 * meets the target or not is the median of the pairs' ratios.
 */
async function appendResults(databaseUrl: string, options: TamperBenchOptions): Promise<ScenarioResult[]> {
  return withStore(databaseUrl, async (knex, store) => {
    // Off is a log with no tamper evidence at all: no seal, and appends that hash and store no leaves.
    const leafless = await PostgresEventStore.connect({ connectionString: databaseUrl, logger, poolSize: 20, sealLeaves: false });
    try {
      return await appendRounds(databaseUrl, knex, { sealed: store, leafless }, options);
    } finally {
      await leafless.close();
    }
  });
}

async function appendRounds(databaseUrl: string, knex: Knex, stores: { sealed: EventStore; leafless: EventStore }, options: TamperBenchOptions): Promise<ScenarioResult[]> {
  const store = stores.sealed;
  const results: ScenarioResult[] = [];
  for (const scenario of APPENDS) {
    const off: number[] = [];
    const on: number[] = [];
    let lagAfter = 0n;
    let sealCpuMs = 0;
    const sealedRound = async (): Promise<void> => {
      const worker = spawnWorkerScript(SEAL_WORKER, databaseUrl);
      // Until the worker has sealed an event of its own, it is still starting (tsx, modules, connections):
      // a round timed from its spawn charged that start-up to the seal, about 40 µs of CPU an event.
      await store.appendToStream(`post-${randomUUID()}`, [benchEvent(0)]);
      await sealedToHead(knex, store);
      const cpuBefore = await cpuMs(worker.pid);
      on.push(await appendRate(store, scenario));
      lagAfter = await unsealed(knex, store);
      await sealedToHead(knex, store);
      sealCpuMs += (await cpuMs(worker.pid)) - cpuBefore;
      await worker.kill('SIGTERM');
    };
    for (let round = 0; round < options.rounds; round++) {
      if (round % 2 === 0) {
        off.push(await appendRate(stores.leafless, scenario));
        await sealedRound();
      } else {
        await sealedRound();
        off.push(await appendRate(stores.leafless, scenario));
      }
    }
    const sealedEvents = options.rounds * scenario.appends * scenario.eventsPerAppend;
    const figures = { 'seal on': Math.round(median(on)), 'seal off': Math.round(median(off)) };
    const pairRatios = on.map((rate, i) => rate / off[i]!);
    const ratio = median(pairRatios);
    results.push({
      scenario: `appends with tamper evidence on and off, ${scenario.name}`,
      unit: 'events/s',
      figures,
      ours: 'seal on',
      peers: ['seal off'],
      target: { description: 'under 5% apart (median of the pairs of rounds)', met: Math.abs(1 - ratio) < 0.05 },
      notes: `median of the pairs' ratios on/off ${ratio.toFixed(3)} (pairs ${pairRatios.map((r) => r.toFixed(2)).join(', ')}); rounds off ${off.map(Math.round).join(', ')}; on ${on.map(Math.round).join(', ')} events/s; ${lagAfter} events not yet sealed when the last timed appends ended; the seal's worker process used ${((sealCpuMs * 1000) / sealedEvents).toFixed(1)} µs of CPU per event sealed`,
    });
  }
  return results;
}

async function appendRate(store: EventStore, scenario: (typeof APPENDS)[number]): Promise<number> {
  const batches = Array.from({ length: scenario.appends }, (_, i) => Array.from({ length: scenario.eventsPerAppend }, (_, j) => benchEvent(i * scenario.eventsPerAppend + j)));
  const seconds = await runConcurrently(scenario.appends, scenario.concurrency, async (i) => {
    await store.appendToStream(`post-${randomUUID()}`, batches[i]!);
  });
  return (scenario.appends * scenario.eventsPerAppend) / seconds;
}

function sealEngine(knex: Knex, store: EventStore, databaseUrl: string): ProjectionEngine {
  return new ProjectionEngine({
    knex,
    eventStore: store,
    connectionString: databaseUrl,
    projections: [auditChainProjection()],
    counter: postgresLogCounter(knex),
    logger,
    claimIntervalMs: 200,
    settings: { pollMs: 50 },
  });
}

async function sealedToHead(knex: Knex, store: EventStore): Promise<void> {
  while ((await checkpoint(knex)) < ((await store.headPosition()) ?? -1n)) await new Promise((resolve) => setTimeout(resolve, 50));
}

async function checkpoint(knex: Knex): Promise<bigint> {
  const row = await knex('projections').where({ name: 'audit_chain' }).first<{ position: string | null } | undefined>('position');
  return row?.position == null ? -1n : BigInt(row.position);
}

/** Events after the seal's checkpoint (0 when it has reached the head). */
async function unsealed(knex: Knex, store: EventStore): Promise<bigint> {
  const sealed = await checkpoint(knex);
  if (sealed >= ((await store.headPosition()) ?? -1n)) return 0n;
  const { rows } = await knex.raw<{ rows: Array<{ count: string }> }>(
    `SELECT count(*)::text AS count FROM events WHERE ((tx_id::text::numeric) * 4294967296 + idx) > ?`,
    [String(sealed)],
  );
  return BigInt(rows[0]?.count ?? '0');
}

async function withStore<T>(databaseUrl: string, work: (knex: Knex, store: PostgresEventStore) => Promise<T>): Promise<T> {
  const knex = createKnex(databaseUrl, 10, undefined, BENCH_DEADLINES);
  const store = await PostgresEventStore.connect({ connectionString: databaseUrl, logger, poolSize: 20 });
  try {
    await migrateToLatest(knex, allMigrations);
    return await work(knex, store);
  } finally {
    await store.close();
    await knex.destroy();
  }
}
