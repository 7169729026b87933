import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import type { Knex } from 'knex';
import { allMigrations } from '../../app/migrations.js';
import { PostgresEventStore } from '../../infra/event-store/postgres/postgres-event-store.js';
import { createLogger } from '../../infra/logging/logger.js';
import { createKnex } from '../../infra/postgres/knex.js';
import { ProjectionEngine, postgresLogCounter, streamSummaryProjection } from '../../projections/index.js';
import { OwnPostgres } from '../support/own-postgres.js';
import { appendSpread, eventually, fastSettings, reachedHead, summaryFromLog, summaryRows } from '../support/projection-harness.js';
import { TcpProxy, type StallPoint } from '../support/tcp-proxy.js';

/** Short, so that a test waits out a silent connection in seconds. */
const STATEMENT_TIMEOUT_MS = 1_000;

/** The chunk that carries `sql`, from its start: the server never sees that statement. */
function statementContaining(sql: string): StallPoint {
  const needle = Buffer.from(sql);
  return (chunk) => (chunk.includes(needle) ? 0 : undefined);
}

/**
 * A projection worker whose connections go silent (a partition that drops
 * bytes while the sockets stay open) must not wait for an answer forever:
 * every statement has a deadline, the connection it was sent on is
 * discarded, and a server session left in its transaction by a silent
 * client is ended, so the projection resumes and reaches the head.
 */
describe('projection worker across network partitions', () => {
  let server: OwnPostgres;
  let proxy: TcpProxy;
  let direct: Knex;
  let writer: PostgresEventStore;
  const closing: Array<() => Promise<void>> = [];
  const logger = createLogger('silent');

  beforeAll(async () => {
    server = await OwnPostgres.start({}, allMigrations);
    proxy = await TcpProxy.start(server.port);
    direct = createKnex(server.url, 2);
    writer = await PostgresEventStore.connect({ connectionString: server.url, logger });
  }, 60_000);
  afterEach(async () => {
    // Stalled connections stay silent until cut.
    proxy.cut();
    proxy.heal();
    for (const close of closing.splice(0).reverse()) await close();
  });
  afterAll(async () => {
    await writer?.close();
    await direct?.destroy();
    await proxy?.close();
    await server?.destroy();
  }, 60_000);

  /** The engine and everything it uses reach PostgreSQL through the proxy. */
  async function startWorker(): Promise<ProjectionEngine> {
    const url = proxy.url(server.url);
    const store = await PostgresEventStore.connect({ connectionString: url, logger, pollIntervalMs: 100, appendTimeoutMs: STATEMENT_TIMEOUT_MS, connectTimeoutMs: 1_000 });
    const knex = createKnex(url, 5, undefined, { statementTimeoutMs: STATEMENT_TIMEOUT_MS, connectTimeoutMs: 1_000 });
    const engine = new ProjectionEngine({
      knex,
      eventStore: store,
      connectionString: url,
      projections: [streamSummaryProjection()],
      counter: postgresLogCounter(knex),
      logger,
      claimIntervalMs: 100,
      settings: fastSettings,
    });
    closing.push(async () => {
      await engine.stop();
      await store.close();
      await knex.destroy();
    });
    await engine.start();
    return engine;
  }

  async function expectCaughtUp(timeoutMs: number): Promise<void> {
    await eventually('the projection reached the head of the log', () => reachedHead(direct, writer, 'stream_summary'), timeoutMs);
    expect(await summaryRows(direct)).toEqual(await summaryFromLog(direct));
  }

  it('resumes when the connection carrying its checkpoint goes silent in the middle of a batch', async () => {
    await startWorker();
    await appendSpread(writer, { count: 200, streams: 5, category: 'before' });
    await expectCaughtUp(20_000);

    // The batch's rows are written, then its checkpoint never reaches the server:
    // that session sits in its transaction, holding the rows' locks.
    proxy.stallWhen(statementContaining('UPDATE projections\n        SET position'));
    await appendSpread(writer, { count: 200, streams: 5, category: 'during' });
    await expectCaughtUp(20_000);
  }, 60_000);
});
