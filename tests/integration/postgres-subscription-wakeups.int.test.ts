import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { RecordedEvent } from '../../infra/event-store/event-store.js';
import { Notifier } from '../../infra/event-store/postgres/notifier.js';
import { PostgresSubscription, type PageReader } from '../../infra/event-store/postgres/subscription.js';
import { createLogger } from '../../infra/logging/logger.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { collect } from '../support/events.js';

function recorded(position: bigint): RecordedEvent {
  return { id: `event-${position}`, stream: 'wake-1', revision: position, position, type: 'Woken', data: {}, metadata: {}, recordedAt: new Date(0) };
}

/**
 * A subscription at the head sleeps until a commit is announced. An
 * announcement that arrives while it is still reading (between its horizon
 * read and its sleep) must wake it too, or the event waits for the next poll.
 */
describe('PostgreSQL subscription wake-ups', () => {
  let database: TestDatabase;
  const logger = createLogger('silent');

  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => database.drop());

  it('does not lose a commit announced while it reads', async () => {
    const [listening, announcing] = [new Notifier({ connectionString: database.url }, logger), new Notifier({ connectionString: database.url }, logger)];
    await Promise.all([listening.start(), announcing.start()]);
    let horizonReads = 0;
    const reader: PageReader = {
      async horizon() {
        horizonReads++;
        if (horizonReads === 2) {
          // Another process commits and its NOTIFY arrives before this read ends.
          const heard = listening.wait(5_000);
          announcing.committed();
          await heard;
        }
        return { txId: BigInt(horizonReads), oldestAppendStartedAt: undefined };
      },
      async readPage(after, horizonTxId) {
        // The first read finds event 1, the third event 3: what the announced commit wrote.
        if (horizonTxId === 1n) return [recorded(1n)];
        if (horizonTxId === 3n && (after ?? 0n) < 3n) return [recorded(3n)];
        return [];
      },
      async lastPositionBelow() {
        return undefined;
      },
      async spanEnd() {
        return undefined;
      },
    };
    const subscription = new PostgresSubscription(reader, listening, {}, { reads: 'events', pollIntervalMs: 60_000, pageSize: 100, logger, stallWarningMs: 60_000, onClose: () => undefined });
    try {
      const { events, items } = await collect(
        subscription,
        (seen, item) => {
          // At the head after event 1, asleep: a first commit wakes it, the second comes during its read.
          if (item.kind === 'caught-up') announcing.committed();
          return seen.length === 2;
        },
        5_000,
      );
      expect(items.find((item) => item.kind === 'caught-up')).toBeDefined();
      expect(events.map((event) => event.position)).toEqual([1n, 3n]);
    } finally {
      await Promise.all([listening.close(), announcing.close()]);
    }
  });
});
