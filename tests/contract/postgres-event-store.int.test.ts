import { PostgresEventStore } from '../../infra/event-store/postgres/postgres-event-store.js';
import { POSITION_LIMIT } from '../../infra/event-store/postgres/rows.js';
import { createLogger } from '../../infra/logging/logger.js';
import { createTestDatabase } from '../support/database.js';
import { describeEventStoreContract } from './event-store.contract.js';

describeEventStoreContract('PostgreSQL', async () => {
  const database = await createTestDatabase();
  const store = await PostgresEventStore.connect({
    connectionString: database.url,
    logger: createLogger('silent'),
    poolSize: 20,
    pollIntervalMs: 200,
  });
  return {
    store,
    positionLimit: POSITION_LIMIT,
    dispose: async () => {
      await store.close();
      await database.drop();
    },
  };
});
