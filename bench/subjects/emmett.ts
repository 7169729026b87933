import { dumbo } from '@event-driven-io/dumbo';
import { getPostgreSQLEventStore, readMessagesBatch } from '@event-driven-io/emmett-postgresql';
import pg from 'pg';
import type { Subject } from './subject.js';

/**
 * Emmett 0.42's PostgreSQL event store, used as its documentation shows, with
 * a pool as large as ours. Its global read is `readMessagesBatch`, followed
 * the way its own consumers follow it: after = the batch's currentGlobalPosition.
 */
export async function emmettSubject(url: string, poolSize: number): Promise<Subject> {
  const pool = new pg.Pool({ connectionString: url, max: poolSize });
  const store = getPostgreSQLEventStore(url, { connectionOptions: { pooled: true, pool } });
  await store.schema.migrate();
  const reader = dumbo({ connectionString: url });
  const readPage: Subject['readPage'] = async (after, pageSize) => {
    const batch = await readMessagesBatch(reader.execute, after === undefined ? { from: 0n, batchSize: pageSize } : { after, batchSize: pageSize });
    const ids = batch.messages.map((message) => String((message.metadata as { benchId?: unknown }).benchId));
    return { ids, next: batch.messages.length > 0 ? batch.currentGlobalPosition : undefined };
  };
  return {
    name: 'emmett',
    role: 'peer',
    async append(stream, events) {
      await store.appendToStream(
        stream,
        events.map((event) => ({ type: event.type, data: event.data, metadata: { ...event.metadata, benchId: event.id } })),
      );
    },
    async readAll() {
      // Emmett has no whole-log read; its consumers pull batches like this one.
      const ids: string[] = [];
      let after: bigint | undefined;
      for (;;) {
        const page = await readPage(after, 1_000);
        ids.push(...page.ids);
        if (page.next === undefined || page.ids.length < 1_000) return ids;
        after = page.next;
      }
    },
    readPage,
    async close() {
      await store.close();
      await reader.close();
      await pool.end().catch(() => undefined);
    },
  };
}
