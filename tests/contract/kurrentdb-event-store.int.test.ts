import { describe, it } from '@jest/globals';
import { KurrentDbEventStore } from '../../infra/event-store/kurrentdb/kurrentdb-event-store.js';
import { POSITION_LIMIT } from '../../infra/event-store/kurrentdb/positions.js';
import { createLogger } from '../../infra/logging/logger.js';
import { describeEventStoreContract } from './event-store.contract.js';

const url = process.env.EVENTSTORE_URL;

if (url) {
  describeEventStoreContract('KurrentDB', async () => {
    const store = await KurrentDbEventStore.connect({ connectionString: url, logger: createLogger('warn'), connectTimeoutMs: 5_000 });
    return { store, positionLimit: POSITION_LIMIT, dispose: () => store.close() };
  });
} else {
  describe('KurrentDB event store contract', () => {
    it.skip('needs EVENTSTORE_URL, e.g. docker compose up eventstore', () => undefined);
  });
}
