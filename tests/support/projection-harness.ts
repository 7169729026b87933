import type { Knex } from 'knex';
import { Registry } from 'prom-client';
import { PostgresEventStore } from '../../infra/event-store/postgres/postgres-event-store.js';
import type { NewEvent } from '../../infra/event-store/event-store.js';
import { createLogger } from '../../infra/logging/logger.js';
import { createKnex } from '../../infra/postgres/knex.js';
import { ProjectionEngine, postgresLogCounter, type AnyProjection, type ProjectionEngineOptions } from '../../projections/index.js';
import { createTestDatabase, type TestDatabase } from './database.js';
import { newEvent } from './events.js';

/** Fast clocks so tests wait on outcomes, not on production intervals. */
export const fastSettings = { batchEvents: 200, replayBatchEvents: 1_000, batchDelayMs: 5, checkpointIntervalMs: 100, pollMs: 100 };

export interface ProjectionHarness {
  database: TestDatabase;
  store: PostgresEventStore;
  knex: Knex;
  startEngine(projections: readonly AnyProjection[], options?: Partial<ProjectionEngineOptions>): Promise<ProjectionEngine>;
  dispose(): Promise<void>;
}

export async function createProjectionHarness(): Promise<ProjectionHarness> {
  const database = await createTestDatabase();
  const logger = createLogger('silent');
  const store = await PostgresEventStore.connect({ connectionString: database.url, logger, poolSize: 10, pollIntervalMs: 100 });
  const knex = createKnex(database.url, 10);
  const engines: ProjectionEngine[] = [];
  return {
    database,
    store,
    knex,
    async startEngine(projections, options = {}) {
      const engine = new ProjectionEngine({
        knex,
        eventStore: store,
        connectionString: database.url,
        projections,
        counter: postgresLogCounter(knex),
        logger,
        registry: new Registry(),
        claimIntervalMs: 100,
        ...options,
        settings: { ...fastSettings, ...options.settings },
      });
      engines.push(engine);
      await engine.start();
      return engine;
    },
    async dispose() {
      await Promise.all(engines.map((engine) => engine.stop()));
      await store.close();
      await knex.destroy();
      await database.drop();
    },
  };
}

/** `count` events spread over `streams` streams of one category, appended `perAppend` at a time, a few appends at once. */
export async function appendSpread(store: PostgresEventStore, options: { count: number; streams: number; category?: string; perAppend?: number; type?: (i: number) => string }): Promise<bigint> {
  const perAppend = options.perAppend ?? 50;
  const category = options.category ?? 'item';
  const appends: Array<{ stream: string; events: NewEvent[] }> = [];
  for (let offset = 0; offset < options.count; offset += perAppend) {
    const size = Math.min(perAppend, options.count - offset);
    const stream = `${category}-${(offset / perAppend) % options.streams}`;
    appends.push({ stream, events: Array.from({ length: size }, (_, k) => newEvent(options.type?.(offset + k) ?? 'ItemChanged', { i: offset + k })) });
  }
  let last = 0n;
  for (let i = 0; i < appends.length; i += 8) {
    const results = await Promise.all(appends.slice(i, i + 8).map(({ stream, events }) => store.appendToStream(stream, events)));
    for (const result of results) if (result.position > last) last = result.position;
  }
  return last;
}

/** Polls until `check` answers true; fails with `what` after `timeoutMs`. Outcomes, not timings, are asserted. */
export async function eventually(what: string, check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export async function checkpointOf(knex: Knex, name: string): Promise<bigint | undefined> {
  const row = await knex('projections').where({ name }).first<{ position: string | null } | undefined>('position');
  return row?.position == null ? undefined : BigInt(row.position);
}

export async function reachedHead(knex: Knex, store: PostgresEventStore, name: string): Promise<boolean> {
  const [checkpoint, head] = await Promise.all([checkpointOf(knex, name), store.headPosition()]);
  return head === undefined || (checkpoint !== undefined && checkpoint >= head);
}

/** The summary table as the queries see it (through the view), in a comparable form. */
export async function summaryRows(knex: Knex, table = 'stream_summary'): Promise<string[]> {
  const rows = await knex(table).orderBy('stream').select<Record<string, unknown>[]>('stream', 'event_count', 'first_position', 'last_position', 'last_revision', 'last_event_type');
  return rows.map((row) => JSON.stringify(row));
}

/** The same summary computed by SQL straight from the log: the ground truth. */
export async function summaryFromLog(knex: Knex, streamPrefix = ''): Promise<string[]> {
  const { rows } = await knex.raw<{ rows: Record<string, unknown>[] }>(
    `SELECT stream_id AS stream, count(*)::text AS event_count,
            min(((tx_id::text::numeric) * 4294967296 + idx))::text AS first_position,
            max(((tx_id::text::numeric) * 4294967296 + idx))::text AS last_position,
            max(stream_revision)::text AS last_revision,
            (array_agg(event_type ORDER BY tx_id DESC, idx DESC))[1] AS last_event_type
       FROM events WHERE stream_id LIKE ? GROUP BY stream_id ORDER BY stream_id`,
    [`${streamPrefix}%`],
  );
  return rows.map((row) => JSON.stringify(row));
}
