import { PostgresEventStore } from '../../infra/event-store/postgres/postgres-event-store.js';
import { createLogger } from '../../infra/logging/logger.js';
import { createKnex } from '../../infra/postgres/knex.js';
import { migrateToLatest } from '../../infra/postgres/migrations.js';
import { allMigrations } from '../../app/migrations.js';
import type { Subject } from './subject.js';

export async function chronicleSubject(url: string, poolSize: number): Promise<Subject & { store: PostgresEventStore }> {
  const knex = createKnex(url, 1);
  await migrateToLatest(knex, allMigrations);
  await knex.destroy();
  const store = await PostgresEventStore.connect({ connectionString: url, logger: createLogger('silent'), poolSize });
  return {
    name: 'chronicle',
    role: 'ours',
    store,
    async append(stream, events) {
      await store.appendToStream(stream, events);
    },
    async readAll() {
      // Touch every payload: the store decodes data on first access, and a
      // reader that skipped it would be measured doing less than the peers.
      const events = await store.readAll();
      let touched = 0;
      for (const event of events) if (event.data['title'] !== undefined && event.metadata['tenantId'] !== undefined) touched++;
      if (touched !== events.length) throw new Error('an event lost its payload');
      return events.map((event) => event.id);
    },
    async readPage(after, pageSize) {
      const events = await store.readAll({ fromPosition: after, maxCount: pageSize });
      return { ids: events.map((event) => event.id), next: events.at(-1)?.position };
    },
    close: () => store.close(),
  };
}
