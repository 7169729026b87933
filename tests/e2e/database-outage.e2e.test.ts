import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { PostgresEventStore } from '../../infra/event-store/postgres/postgres-event-store.js';
import { createLogger } from '../../infra/logging/logger.js';
import { ChronicleProcess } from '../support/chronicle-process.js';
import { newEvent, uniqueStream } from '../support/events.js';
import { freePort } from '../support/free-port.js';
import { OwnPostgres } from '../support/own-postgres.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The whole server (`chronicle start`: API, projection workers, the process's
 * own crash handler) and a follower of the log (`chronicle events tail
 * --follow`) while PostgreSQL stops and its sessions are terminated: the
 * server answers 503 on /readyz meanwhile, neither process exits, and both the
 * projection and the follower end with every event exactly once, in order.
 */
describe('chronicle start through PostgreSQL outages', () => {
  let server: OwnPostgres;
  let app: ChronicleProcess;
  let tail: ChronicleProcess;
  let store: PostgresEventStore;
  let readyz: string;
  const streams = Array.from({ length: 5 }, () => uniqueStream('outage'));
  let appended = 0;

  async function append(appends: number, eventsEach: number, fillerBytes = 2_000): Promise<void> {
    for (let i = 0; i < appends; i++) {
      await store.appendToStream(streams[i % streams.length]!, Array.from({ length: eventsEach }, () => newEvent('Filled', { filler: 'x'.repeat(fillerBytes) })));
      appended += eventsEach;
    }
  }

  async function readyzStatus(): Promise<number> {
    return fetch(readyz, { signal: AbortSignal.timeout(5_000) }).then(
      (response) => response.status,
      () => 0,
    );
  }

  async function untilReadyz(status: number): Promise<void> {
    const deadline = Date.now() + 15_000;
    while ((await readyzStatus()) !== status) {
      if (app.child.exitCode !== null || app.child.signalCode !== null) throw new Error(`chronicle exited\n${app.transcript()}`);
      if (Date.now() > deadline) throw new Error(`/readyz did not answer ${status}\n${app.transcript()}`);
      await sleep(100);
    }
  }

  beforeAll(async () => {
    server = await OwnPostgres.start();
    const port = await freePort();
    readyz = `http://127.0.0.1:${port}/readyz`;
    app = new ChronicleProcess(['start'], {
      DATABASE_URL: server.url,
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      SUBSCRIPTION_POLL_MS: '100',
      APPEND_TIMEOUT_MS: '2000',
      DATABASE_CONNECT_TIMEOUT_MS: '1000',
    });
    await app.waitForOk(readyz, 30_000);
    tail = new ChronicleProcess(['events', 'tail', '--follow'], { DATABASE_URL: server.url, SUBSCRIPTION_POLL_MS: '100', APPEND_TIMEOUT_MS: '2000', DATABASE_CONNECT_TIMEOUT_MS: '1000' });
    // The test's own view of the log: default deadlines, so that reading the whole log is not cut short on a busy machine.
    store = await PostgresEventStore.connect({ connectionString: server.url, logger: createLogger('silent') });
  }, 60_000);
  afterAll(async () => {
    for (const child of [app, tail]) child?.kill('SIGKILL');
    await Promise.all([app?.exited, tail?.exited]);
    await store?.close();
    await server?.destroy();
  }, 60_000);

  it('stays up, answers 503 while the database is gone, and its projection ends with every event once', async () => {
    // The follower is connected (it has printed an event) before the database goes.
    await append(1, 1);
    await untilTailed(tail, appended);
    // Its projection follows through binary COPY reads of a few MB each; end them midway.
    let terminated = 0;
    const deadline = Date.now() + 20_000;
    while (terminated < 3 && Date.now() < deadline) {
      await append(3, 100, 10_000);
      const burstEnds = Date.now() + 300;
      while (Date.now() < burstEnds) terminated += await server.terminateBackends('chronicle-event-store', 'COPY');
    }
    expect(terminated).toBeGreaterThanOrEqual(3);
    await server.terminateBackends('chronicle-listener');
    await server.terminateBackends('chronicle-projection-owner');

    for (const mode of ['fast', 'immediate'] as const) {
      await append(5, 100);
      // Appends settle (asynchronous commits reach the disk) before a crash.
      await sleep(700);
      await server.stop(mode);
      await untilReadyz(503);
      await sleep(500);
      await server.restart();
      await untilReadyz(200);
    }

    await append(5, 10);
    const summary = await untilSummarised(server.url, appended);
    expect(summary.total).toBe(appended);
    const log = await store.readAll();
    expect(log).toHaveLength(appended);
    for (const stream of streams) expect(summary.byStream.get(stream)).toBe(log.filter((event) => event.stream === stream).length);
    expect(app.child.exitCode).toBeNull();
    const tailed = await untilTailed(tail, appended);
    expect(tailed.map((line) => line.id)).toEqual(log.map((event) => event.id));

    for (const child of [app, tail]) child.kill('SIGTERM');
    expect(await app.exit(30_000)).toEqual({ code: 0, signal: null });
    expect(await tail.exit(30_000)).toEqual({ code: 0, signal: null });
  }, 90_000);
});

/** Waits until the follower has printed `expected` events (or 20 s pass, or it exits); answers its lines. */
async function untilTailed(tail: ChronicleProcess, expected: number): Promise<Array<{ id: string }>> {
  const deadline = Date.now() + 20_000;
  let exited = false;
  void tail.exited.then(() => (exited = true));
  for (;;) {
    const lines = tail.stdout.split('\n').filter((line) => line !== '');
    if (lines.length >= expected || exited || Date.now() > deadline) {
      if (exited) throw new Error(`events tail exited after ${lines.length} events\n${tail.transcript()}`);
      return lines.map((line) => JSON.parse(line) as { id: string });
    }
    await sleep(100);
  }
}

interface Summary {
  total: number;
  byStream: Map<string, number>;
}

/** Polls the projection's read model until it has counted `expected` events (or 30 s pass). */
async function untilSummarised(url: string, expected: number): Promise<Summary> {
  const client = new pg.Client(url);
  client.on('error', () => undefined);
  await client.connect();
  try {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const { rows } = await client
        .query<{ stream: string; event_count: string }>('SELECT stream, event_count FROM stream_summary')
        .catch(() => ({ rows: [] as { stream: string; event_count: string }[] }));
      const byStream = new Map(rows.map((row) => [row.stream, Number(row.event_count)]));
      const total = [...byStream.values()].reduce((sum, count) => sum + count, 0);
      if (total >= expected || Date.now() > deadline) return { total, byStream };
      await sleep(100);
    }
  } finally {
    await client.end();
  }
}
