import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { EventStoreTimeoutError, EventStoreUnavailableError } from '../../infra/event-store/errors.js';
import { DEADLINE_GRACE_MS, PostgresEventStore } from '../../infra/event-store/postgres/postgres-event-store.js';
import { APPEND_LOCK } from '../../infra/event-store/postgres/schema.js';
import { createLogger } from '../../infra/logging/logger.js';
import { newEvent, uniqueStream } from '../support/events.js';
import { Follower, inLogOrder } from '../support/follower.js';
import { OwnPostgres } from '../support/own-postgres.js';
import { TcpProxy, type StallPoint } from '../support/tcp-proxy.js';

const APPEND_TIMEOUT_MS = 1_000;
/** The longest any append may take to answer, whatever the network does, with room for a busy machine. */
const ANSWER_BOUND_MS = APPEND_TIMEOUT_MS + DEADLINE_GRACE_MS + 1_500;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Attempt {
  ms: number;
  error?: unknown;
}

/** Appends one event at a time to a stream of its own until stopped, timing every answer. */
function writeContinuously(store: PostgresEventStore): { attempts: Attempt[]; stop(): Promise<void> } {
  const attempts: Attempt[] = [];
  const stream = uniqueStream('writer');
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      const started = Date.now();
      try {
        await store.appendToStream(stream, [newEvent()]);
        attempts.push({ ms: Date.now() - started });
      } catch (error) {
        attempts.push({ ms: Date.now() - started, error });
        await sleep(50);
      }
    }
  })();
  return {
    attempts,
    stop: async () => {
      stopped = true;
      await loop;
    },
  };
}

/** Up to (not including) the Sync that would commit the append carrying `marker`: PostgreSQL runs the statement, then waits. */
function beforeCommitOf(marker: string): StallPoint {
  const needle = Buffer.from(marker);
  const sync = Buffer.from([0x53, 0, 0, 0, 4]);
  return (chunk) => {
    const at = chunk.indexOf(needle);
    if (at < 0) return undefined;
    const cut = chunk.indexOf(sync, at);
    return cut < 0 ? undefined : cut;
  };
}

/**
 * A silent network (a partition, a connection that dies mid-append) must not
 * wedge appends or subscribers: every call has a client-side deadline, and no
 * append can hold subscribers back for much longer than APPEND_TIMEOUT_MS.
 */
describe('PostgreSQL event store across network partitions', () => {
  let server: OwnPostgres;
  let proxy: TcpProxy;
  const stores: PostgresEventStore[] = [];

  async function connect(options: { appendStatementsInFlight?: number; direct?: boolean; pollIntervalMs?: number } = {}): Promise<PostgresEventStore> {
    const store = await PostgresEventStore.connect({
      connectionString: options.direct ? server.url : proxy.url(server.url),
      logger: createLogger('silent'),
      pollIntervalMs: options.pollIntervalMs ?? 100,
      appendTimeoutMs: APPEND_TIMEOUT_MS,
      connectTimeoutMs: 1_000,
      listenerCheckMs: 1_000,
      ...(options.appendStatementsInFlight ? { appendStatementsInFlight: options.appendStatementsInFlight } : {}),
    });
    stores.push(store);
    return store;
  }

  beforeAll(async () => {
    server = await OwnPostgres.start();
    proxy = await TcpProxy.start(server.port);
  }, 60_000);
  afterEach(async () => {
    // A stalled connection's server session would go on waiting (and holding the append lock).
    proxy.cut();
    proxy.heal();
    await Promise.all(stores.splice(0).map((store) => store.close()));
  });
  afterAll(async () => {
    await proxy?.close();
    await server?.destroy();
  }, 60_000);

  it('answers every append within its deadline through a 5 s blackhole, and resumes subscribers after it', async () => {
    const store = await connect();
    const follower = new Follower(store.subscribeToAll());
    const writers = Array.from({ length: 4 }, () => writeContinuously(store));
    try {
      await sleep(300);
      proxy.blackhole();
      await sleep(5_000);
      proxy.heal();
      // Long enough for every writer to get appends through again.
      const healedAt = writers.map((writer) => writer.attempts.length);
      const deadline = Date.now() + 10_000;
      while (writers.some((writer, i) => !writer.attempts.slice(healedAt[i]).some((attempt) => !attempt.error)) && Date.now() < deadline) await sleep(50);
    } finally {
      await Promise.all(writers.map((writer) => writer.stop()));
    }
    const attempts = writers.flatMap((writer) => writer.attempts);
    const failures = attempts.filter((attempt) => attempt.error !== undefined);
    expect(failures.length).toBeGreaterThan(0);
    for (const { error } of failures) expect(error).toBeInstanceOf(EventStoreUnavailableError);
    expect(Math.max(...attempts.map((attempt) => attempt.ms))).toBeLessThanOrEqual(ANSWER_BOUND_MS);
    for (const writer of writers) expect(writer.attempts.at(-1)?.error).toBeUndefined();

    const log = await store.readAll();
    const events = await follower.until(log.length, 15_000);
    expect(inLogOrder(events)).toBe(true);
    expect(events.map((event) => event.id)).toEqual(log.map((event) => event.id));
    await follower.close();
  }, 60_000);

  it('ends an append cut off between its statement and its commit, so subscribers move on', async () => {
    const store = await connect();
    const follower = new Follower(store.subscribeToAll({ fromPosition: (await store.appendToStream(uniqueStream(), [newEvent()])).position }));

    const cutOff = uniqueStream('cut-off');
    proxy.stallWhen(beforeCommitOf(cutOff));
    const stalled = store.appendToStream(cutOff, [newEvent()]);
    stalled.catch(() => undefined);
    await sleep(200);
    // Committed after the stalled append took its transaction id: subscribers see it only once that one is gone.
    const later = uniqueStream('later');
    await store.appendToStream(later, [newEvent()]);

    await expect(stalled).rejects.toBeInstanceOf(EventStoreTimeoutError);
    const events = await follower.until(1, ANSWER_BOUND_MS + 3_000);
    expect(events.map((event) => event.stream)).toEqual([later]);
    // Its session was ended, so its transaction rolled back: the log does not have it.
    expect(await store.readStream(cutOff)).toEqual([]);
    await follower.close();
  }, 30_000);

  it('fails a shared statement that times out once, without running its appends again one by one', async () => {
    const store = await connect({ appendStatementsInFlight: 1, direct: true });
    const blocker = new pg.Client(server.url);
    blocker.on('error', () => undefined);
    await blocker.connect();
    try {
      // Appends take the append lock shared; holding it exclusively makes every append statement wait until it times out.
      await blocker.query('SELECT pg_advisory_lock($1, $2)', [APPEND_LOCK.classId, APPEND_LOCK.objId]);
      const timeoutsBefore = countStatementTimeouts(await server.serverLog());
      const first = store.appendToStream(uniqueStream(), [newEvent()]);
      // These wait for the first statement, then go together as one.
      const batch = Array.from({ length: 4 }, () => store.appendToStream(uniqueStream(), [newEvent()]));
      const outcomes = await Promise.allSettled([first, ...batch]);
      await untilNoAppendWaits(blocker);
      expect(countStatementTimeouts(await server.serverLog()) - timeoutsBefore).toBe(2);
      for (const outcome of outcomes) expect(outcome).toMatchObject({ status: 'rejected', reason: expect.any(EventStoreTimeoutError) });
    } finally {
      await blocker.end();
    }
  }, 30_000);

  it('notices that its listener connection went silent and opens another, so wake-ups from other processes come back', async () => {
    // Polling is a minute away: only a notification wakes this subscriber.
    const reader = await connect({ pollIntervalMs: 60_000 });
    const writer = await connect({ direct: true });
    const stream = uniqueStream();
    const follower = new Follower(reader.subscribeToAll({ fromPosition: (await writer.appendToStream(stream, [newEvent()])).position }));
    await writer.appendToStream(stream, [newEvent()]);
    await follower.until(1, 5_000);
    proxy.stallOpenConnections();
    await writer.appendToStream(stream, [newEvent()]);
    await follower.until(2, 15_000);
    await follower.close();
  }, 30_000);

  it('closes while the network is silent, failing what was in flight', async () => {
    const store = await connect();
    // Closed here, during the blackhole, not after the test.
    stores.splice(stores.indexOf(store), 1);
    const follower = new Follower(store.subscribeToAll());
    await store.appendToStream(uniqueStream(), [newEvent()]);
    await follower.until(1, 5_000);
    proxy.blackhole();
    const inFlight = store.appendToStream(uniqueStream(), [newEvent()]).catch((error: unknown) => error);
    await sleep(100);
    await store.close();
    expect(await inFlight).toBeInstanceOf(EventStoreUnavailableError);
    await follower.close();
  }, 30_000);

  it('reports connections reset in the middle of reads as unavailable, and resumes subscribers', async () => {
    const store = await connect();
    const stream = uniqueStream();
    const start = await store.headPosition();
    for (let i = 0; i < 10; i++) await store.appendToStream(stream, Array.from({ length: 100 }, () => newEvent('Filled', { filler: 'x'.repeat(2_000) })));
    const follower = new Follower(store.subscribeToAll(start === undefined ? {} : { fromPosition: start }), 50);
    const errors: unknown[] = [];
    for (let i = 0; i < 5; i++) {
      const read = store.readAll().catch((error: unknown) => errors.push(error));
      await sleep(10 * i);
      proxy.cut();
      await read;
    }
    expect(errors.length).toBeGreaterThan(0);
    for (const error of errors) expect(error).toBeInstanceOf(EventStoreUnavailableError);
    await store.appendToStream(stream, [newEvent()]);
    const events = await follower.until(1_001, 15_000);
    expect(inLogOrder(events)).toBe(true);
    expect(events).toHaveLength(1_001);
    await follower.close();
  }, 30_000);
});

function countStatementTimeouts(log: string): number {
  return log.split('\n').filter((line) => line.includes('canceling statement due to statement timeout')).length;
}

/** Waits until no session waits for the append lock any more (the server has cancelled every append statement). */
async function untilNoAppendWaits(client: pg.Client): Promise<void> {
  for (;;) {
    const { rows } = await client.query<{ waiting: number }>(
      "SELECT count(*)::int AS waiting FROM pg_locks WHERE locktype = 'advisory' AND classid = $1 AND objid = $2 AND NOT granted",
      [APPEND_LOCK.classId, APPEND_LOCK.objId],
    );
    if (rows[0]!.waiting === 0) return;
    await sleep(50);
  }
}
