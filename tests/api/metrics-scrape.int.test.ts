import { afterEach, describe, expect, it } from '@jest/globals';
import type { Knex } from 'knex';
import { createLogger } from '../../infra/logging/logger.js';
import { PostgresEventStore } from '../../infra/event-store/postgres/postgres-event-store.js';
import { CountingEventStore } from '../support/counting-event-store.js';
import { newEvents } from '../support/events.js';
import { freePort } from '../support/free-port.js';
import { checkpointOf, eventually } from '../support/projection-harness.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function scrape(app: TestApp): Promise<{ status: number; text: string }> {
  const response = await fetch(`${app.url}/metrics`);
  return { status: response.status, text: await response.text() };
}

/** Every SQL statement that names the events table, as knex sends them. */
function logQueries(knex: Knex): string[] {
  const seen: string[] = [];
  knex.on('query', (query: { sql: string }) => {
    if (/\bevents\b/.test(query.sql)) seen.push(query.sql);
  });
  return seen;
}

describe('GET /metrics on a worker', () => {
  it('answers 200 with chronicle_eventstore_up 0 while KurrentDB is unreachable', async () => {
    const app = await startTestApp({
      role: 'worker',
      env: { EVENTSTORE_URL: `kurrentdb://127.0.0.1:${await freePort()}?tls=false&defaultDeadline=1000`, EVENTSTORE_CONNECT_TIMEOUT_MS: '500' },
    });
    cleanups.push(() => app.stop());
    const first = await scrape(app);
    expect(first.status).toBe(200);
    expect(first.text).toMatch(/^chronicle_eventstore_up 0$/m);
    expect(first.text).toMatch(/^chronicle_projection_caught_up\{projection="stream_summary"\} 0$/m);
  });

  it('reads no events: lag comes from what the runners have already read', async () => {
    let counting: CountingEventStore | undefined;
    const app = await startTestApp({
      role: 'worker',
      // No polling while idle: any read of the log now comes from the scrape.
      env: { SUBSCRIPTION_POLL_MS: '600000' },
      eventStore: async (url) => (counting = new CountingEventStore(await PostgresEventStore.connect({ connectionString: url, logger: createLogger('silent'), pollIntervalMs: 600_000 }))),
    });
    const store = counting!;
    cleanups.push(() => store.close(), () => app.stop());
    const { position } = await store.appendToStream('item-1', newEvents(30));
    // Those that skip these events also move past them, reading the head once to do so (live-runner.ts), up to
    // a checkpoint interval later: wait for every one, or that read lands among the scrapes' under load.
    const names = app.services.projections.map((projection) => projection.name);
    await eventually('every projection passed the events', async () => (await Promise.all(names.map((name) => checkpointOf(app.services.knex, name)))).every((checkpoint) => (checkpoint ?? 0n) >= position));
    // Every runner has subscribed (the features' projections start beside this one), so any read from now on is the scrape's.
    const runners = app.services.projections.length;
    await eventually('every projection runner subscribed', async () => store.reads.filter((read) => read === 'subscribeToAll').length >= runners);

    const readsBefore = store.reads.length;
    const queries = logQueries(app.services.knex);
    const scrapes = [await scrape(app), await scrape(app), await scrape(app)];
    expect(store.reads.slice(readsBefore)).toEqual([]);
    expect(queries).toEqual([]);
    for (const { status, text } of scrapes) {
      expect(status).toBe(200);
      expect(text).toMatch(/^chronicle_projection_lag_seconds\{projection="stream_summary"\} 0$/m);
      expect(text).toMatch(/^chronicle_projection_caught_up\{projection="stream_summary"\} 1$/m);
      expect(text).toMatch(/^chronicle_eventstore_up 1$/m);
    }
  });
});
