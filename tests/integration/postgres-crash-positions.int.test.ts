import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import type { EventFilter, EventStore, Position } from '../../infra/event-store/event-store.js';
import { PostgresEventStore } from '../../infra/event-store/postgres/postgres-event-store.js';
import { decodePosition } from '../../infra/event-store/postgres/rows.js';
import { createLogger } from '../../infra/logging/logger.js';
import { newEvent } from '../support/events.js';
import { OwnPostgres } from '../support/own-postgres.js';

/** `CRASH_ROUNDS=20 npm run test:crash` runs the long version on demand. */
const ROUNDS = Number(process.env.CRASH_ROUNDS ?? 5);
const WRITERS = 4;
const APPENDS_PER_WRITER = 10;

/**
 * A consumer that stores the last position it was handed (event, caught-up or
 * checkpoint) and resumes from it, as projections and feed clients do.
 */
class ResumingConsumer {
  readonly seen: string[] = [];
  stored: Position | undefined;

  constructor(private readonly filter: EventFilter | undefined) {}

  /** Resumes from the stored position and reads until handed a position at or past `until` (or caught up when undefined). */
  async readUntil(store: EventStore, until: Position | undefined): Promise<void> {
    const subscription = store.subscribeToAll({ fromPosition: this.stored, filter: this.filter });
    const timer = setTimeout(() => void subscription.close(), 20_000);
    try {
      for await (const item of subscription) {
        const position = item.kind === 'event' ? item.event.position : item.position;
        if (item.kind === 'event') this.seen.push(item.event.id);
        if (position !== undefined) this.stored = position;
        const reached = until === undefined ? item.kind === 'caught-up' : position !== undefined && position >= until;
        if (reached && item.kind !== 'event') return;
      }
      throw new Error(`consumer gave up waiting for ${String(until)}; stored ${String(this.stored)}`);
    } finally {
      clearTimeout(timer);
      await subscription.close();
    }
  }
}

/**
 * Transactions that take an id and end without anything forcing their end to
 * disk (a rollback, an asynchronous commit, as the notifier's NOTIFY does):
 * they move the snapshot's xmax, yet crash recovery hands their ids out again.
 */
async function burnTransactionIds(url: string, count: number): Promise<bigint[]> {
  const client = new pg.Client(url);
  await client.connect();
  try {
    const xids: bigint[] = [];
    for (let i = 0; i < count; i++) {
      await client.query('BEGIN');
      await client.query('SET LOCAL synchronous_commit = off');
      const { rows } = await client.query<{ xid: string }>('SELECT pg_current_xact_id()::text AS xid');
      xids.push(BigInt(rows[0]!.xid));
      await client.query(i % 2 === 0 ? 'ROLLBACK' : 'COMMIT');
    }
    return xids;
  } finally {
    await client.end();
  }
}

describe('PostgreSQL positions across crash recovery', () => {
  let server: OwnPostgres;
  const logger = createLogger('silent');

  beforeAll(async () => {
    // The WAL writer would put the burnt ids on disk within 200 ms; 10 s leaves the crash time to come first.
    server = await OwnPostgres.start({ wal_writer_delay: '10s' });
  }, 60_000);
  afterAll(async () => {
    await server.destroy();
  });

  it(`a consumer resuming from any position it was handed misses nothing, over ${ROUNDS} immediate stops`, async () => {
    const consumers = [new ResumingConsumer(undefined), new ResumingConsumer({ eventTypes: ['Kept'] })];
    const acknowledged: string[] = [];
    let burntXids: bigint[] = [];
    let roundsThatReusedIds = 0;
    let handedOutBeforeCrash: Position[] = [];

    for (let round = 0; round <= ROUNDS; round++) {
      if (round > 0) await server.restart();
      const store = await PostgresEventStore.connect({ connectionString: server.url, logger, pollIntervalMs: 50 });
      try {
        const writing = Promise.all(
          Array.from({ length: WRITERS }, async (_, writer) => {
            const positions: Position[] = [];
            for (let i = 0; i < APPENDS_PER_WRITER; i++) {
              const event = newEvent(i % 2 === 0 ? 'Kept' : 'Hidden', { round, writer, i });
              const { position } = await store.appendToStream(`crash-${round}-${writer}`, [event]);
              acknowledged.push(event.id);
              positions.push(position);
            }
            return positions;
          }),
        );
        const reading = writing.then((positions) => Promise.all(consumers.map((consumer) => consumer.readUntil(store, maxOf(positions.flat())))));
        const positions = (await writing).flat();
        await reading;
        const firstTxId = BigInt(decodePosition(minOf(positions)).txId);
        if (burntXids.some((xid) => firstTxId <= xid)) roundsThatReusedIds++;
        // The property itself: nothing committed later lands at or below a position handed out before.
        for (const handedOut of handedOutBeforeCrash) expect(minOf(positions)).toBeGreaterThan(handedOut);
        if (round === ROUNDS) break;

        burntXids = await burnTransactionIds(server.url, 4);
        // Consumers resuming now are handed positions while the ids above are spent but not durable.
        for (const consumer of consumers) await consumer.readUntil(store, undefined);
        handedOutBeforeCrash = consumers.flatMap((consumer) => (consumer.stored === undefined ? [] : [consumer.stored]));
      } finally {
        await store.close();
      }
      await server.stop('immediate');
    }

    const store = await PostgresEventStore.connect({ connectionString: server.url, logger });
    try {
      const log = await store.readAll();
      const logIds = log.map((event) => event.id);
      expect(new Set(logIds).size).toBe(logIds.length);
      expect([...logIds].sort()).toEqual([...acknowledged].sort());
      expect(consumers[0]!.seen).toEqual(logIds);
      expect(consumers[1]!.seen).toEqual(log.filter((event) => event.type === 'Kept').map((event) => event.id));
    } finally {
      await store.close();
    }
    // The hazard was really there: transaction ids were handed out again after a crash.
    expect(roundsThatReusedIds).toBeGreaterThan(0);
  }, 60_000 + ROUNDS * 15_000);
});

function maxOf(positions: Position[]): Position {
  return positions.reduce((a, b) => (a > b ? a : b));
}

function minOf(positions: Position[]): Position {
  return positions.reduce((a, b) => (a < b ? a : b));
}
