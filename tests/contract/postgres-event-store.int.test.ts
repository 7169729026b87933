import { PostgresEventStore } from '../../infra/event-store/postgres/postgres-event-store.js';
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
    dispose: async () => {
      await store.close();
      await database.drop();
    },
  };
});
