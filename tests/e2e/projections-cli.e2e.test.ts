import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { PostgresEventStore } from '../../infra/event-store/postgres/postgres-event-store.js';
import { createLogger } from '../../infra/logging/logger.js';
import { ChronicleProcess } from '../support/chronicle-process.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { newEvents } from '../support/events.js';

/** The operator CLI against a database with a log and no worker running. */
describe('chronicle projections', () => {
  let database: TestDatabase;
  let store: PostgresEventStore;
  const run = async (...args: string[]) => {
    const cli = new ChronicleProcess(args, { DATABASE_URL: database.url, LOG_LEVEL: 'warn' });
    const exit = await cli.exit(60_000);
    return { exit, cli };
  };

  beforeAll(async () => {
    database = await createTestDatabase();
    store = await PostgresEventStore.connect({ connectionString: database.url, logger: createLogger('silent') });
    for (let i = 0; i < 40; i++) await store.appendToStream(`item-cli-${i % 8}`, newEvents(25, 'ItemChanged'));
  });
  afterAll(async () => {
    await store.close();
    await database.drop();
  });

  it('replays a projection with progress and builds its read model from the log', async () => {
    const { exit, cli } = await run('projections', 'replay', 'stream_summary');
    expect({ code: exit.code, transcript: exit.code === 0 ? '' : cli.transcript() }).toEqual({ code: 0, transcript: '' });
    expect(cli.stdout).toContain('stream_summary: replayed 1000 events');
    expect(cli.stderr).toMatch(/\[#+\] +100\.0%\s+1,000\/1,000\s+[1-9][\d,]* ev\/s\s+ETA 0s\s+completed/);

    const client = new pg.Client(database.url);
    await client.connect();
    try {
      const { rows } = await client.query<{ stream: string; event_count: string }>('SELECT stream, event_count FROM stream_summary ORDER BY stream');
      expect(rows).toHaveLength(8);
      expect(rows.every((row) => row.event_count === '125')).toBe(true);
    } finally {
      await client.end();
    }
  });

  it('shows every projection with its checkpoint, head and lag', async () => {
    const head = String(await store.headPosition());
    const { exit, cli } = await run('projections', 'status', '--json');
    expect(exit.code).toBe(0);
    const statuses = JSON.parse(cli.stdout) as Array<{ name: string; checkpoint: string | null; headPosition: string; lag: number; status: string }>;
    const summary = statuses.find((status) => status.name === 'stream_summary');
    expect(summary).toMatchObject({ headPosition: head, lag: 0, status: 'stopped' });
    // The checkpoint may stand past the last event: everything below it has been read.
    expect(BigInt(summary!.checkpoint!) >= BigInt(head)).toBe(true);

    const table = await run('projections', 'status');
    expect(table.cli.stdout.split('\n')[0]).toMatch(/^NAME\s+VERSION\s+STATUS\s+CHECKPOINT\s+HEAD\s+LAG/);
    expect(table.cli.stdout).toMatch(/stream_summary\s+1\s+stopped/);
  });

  it('refuses bad usage with exit code 2 and a clear line', async () => {
    const missing = await run('projections', 'replay');
    expect(missing.exit.code).toBe(2);
    expect(missing.cli.stderr).toContain('needs a projection name');
    const unknown = await run('projections', 'replay', 'no_such_projection');
    expect(unknown.exit.code).toBe(1);
    expect(unknown.cli.stderr).toMatch(/no_such_projection/);
    expect(unknown.cli.stderr).not.toMatch(/\n\s+at /);
  });
});
