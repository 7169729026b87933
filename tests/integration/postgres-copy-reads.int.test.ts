import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { copyOut } from '../../infra/event-store/postgres/binary-copy.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';

/** Timers that keep the process alive (unref'd ones are not counted). */
function liveTimers(): number {
  return process.getActiveResourcesInfo().filter((resource) => resource === 'Timeout').length;
}

/**
 * pg arms a timer for each query of a client with query_timeout (the event
 * store's pool has one) and clears it in the query's callback, which
 * pg-copy-streams' COPY TO never calls: each read left a timer to fire 31 s
 * later, keeping the stream and the process alive (jest's worker could not exit).
 */
describe('binary COPY reads', () => {
  let database: TestDatabase;
  let client: pg.Client;

  beforeAll(async () => {
    database = await createTestDatabase();
    client = new pg.Client({ connectionString: database.url, query_timeout: 30_000 });
    await client.connect();
  });
  afterAll(async () => {
    await client?.end();
    await database?.drop();
  });

  it('leave no timer behind, whether they succeed or fail', async () => {
    const before = liveTimers();
    for (let i = 0; i < 5; i++) {
      expect(await copyOut(client, `SELECT g FROM generate_series(1, ${i + 1}) AS g`, 1, () => 'row')).toHaveLength(i + 1);
    }
    await expect(copyOut(client, 'SELECT 1 / 0', 1, () => 'row')).rejects.toThrow(/division by zero/);
    // The client is still usable: the failed COPY ended with the server's ReadyForQuery.
    expect((await client.query<{ answer: number }>('SELECT 42 AS answer')).rows).toEqual([{ answer: 42 }]);
    expect(liveTimers()).toBe(before);
  });
});
