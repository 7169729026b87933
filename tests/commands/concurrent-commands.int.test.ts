import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Knex } from 'knex';
import { CommandHandler } from '../../commands/command-handler.js';
import { reactionEventIds } from '../../commands/event-ids.js';
import { systemContext } from '../../commands/metadata.js';
import { PostgresSnapshotStore } from '../../commands/postgres-snapshot-store.js';
import { systemRuntime } from '../../commands/runtime.js';
import { SNAPSHOT_EVERY } from '../../commands/snapshots.js';
import { PreconditionFailedError } from '../../domain/shared/errors.js';
import { PostgresEventStore } from '../../infra/event-store/postgres/postgres-event-store.js';
import { createLogger } from '../../infra/logging/logger.js';
import { createKnex } from '../../infra/postgres/knex.js';
import { counterAggregate, increment, snapshottedCounterAggregate } from '../support/counter-aggregate.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';

const runtime = systemRuntime();
const context = () => systemContext(runtime);

describe('commands to one stream from several processes', () => {
  let database: TestDatabase;
  let knex: Knex;
  /** One event store per "process": each with its own pool and its own append queue. */
  let stores: PostgresEventStore[];
  let handlers: CommandHandler[];

  beforeAll(async () => {
    database = await createTestDatabase();
    knex = createKnex(database.url, 4);
    stores = await Promise.all(
      [0, 1, 2].map(() => PostgresEventStore.connect({ connectionString: database.url, logger: createLogger('silent'), pollIntervalMs: 200 })),
    );
    handlers = stores.map((eventStore) => new CommandHandler({ eventStore, runtime, snapshots: new PostgresSnapshotStore(knex) }));
  });
  afterAll(async () => {
    await Promise.all(stores.map((store) => store.close()));
    await knex.destroy();
    await database.drop();
  });

  it('runs 20 concurrent commands without If-Match, each on fresh state: 20 new revisions, nothing lost', async () => {
    const stream = `counter-${runtime.newId()}`;
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) => handlers[i % handlers.length]!.handle(counterAggregate, stream, increment, { context: context() })),
    );
    expect(results.filter((result) => result.status === 'rejected')).toEqual([]);
    const recorded = await stores[0]!.readStream(stream);
    expect(recorded.map((event) => event.revision)).toEqual(Array.from({ length: 20 }, (_, i) => BigInt(i)));
    // Each decided on the state its predecessor left: no total twice.
    expect(recorded.map((event) => event.data['total'])).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    const revisions = results.map((result) => (result.status === 'fulfilled' ? result.value.revision : -1n)).sort((a, b) => (a < b ? -1 : 1));
    expect(revisions).toEqual(Array.from({ length: 20 }, (_, i) => BigInt(i)));
  });

  it('answers a stale If-Match with PreconditionFailedError at once, even while other commands queue on the stream', async () => {
    const stream = `counter-${runtime.newId()}`;
    const first = await handlers[0]!.handle(counterAggregate, stream, increment, { context: context() });
    await handlers[1]!.handle(counterAggregate, stream, increment, { context: context() });
    const racing = Array.from({ length: 6 }, (_, i) => handlers[i % handlers.length]!.handle(counterAggregate, stream, increment, { context: context() }));
    await expect(handlers[2]!.handle(counterAggregate, stream, increment, { context: context(), ifMatch: first.revision })).rejects.toBeInstanceOf(
      PreconditionFailedError,
    );
    await Promise.all(racing);
    expect(await stores[0]!.readStream(stream)).toHaveLength(8);
  });

  it('appends a reaction with deterministic ids once, however often and by however many workers it runs', async () => {
    const stream = `counter-${runtime.newId()}`;
    const causeEventId = runtime.newId();
    const react = (handler: CommandHandler) =>
      handler.handle(counterAggregate, stream, increment, { context: context(), eventIdFor: reactionEventIds(causeEventId, stream) });
    const results = await Promise.all([...handlers, ...handlers].map(react));
    expect(results.filter((result) => result.events.length > 0)).toHaveLength(1);
    const again = await react(handlers[0]!);
    expect(again).toMatchObject({ events: [], revision: 0n, state: { count: 1 } });
    const recorded = await stores[0]!.readStream(stream);
    expect(recorded.map((event) => event.id)).toEqual([reactionEventIds(causeEventId, stream)(0)]);
  });

  it('recognises a reaction already recorded before the last snapshot', async () => {
    const stream = `counter-${runtime.newId()}`;
    const ids = reactionEventIds(runtime.newId(), stream);
    const options = { context: context(), eventIdFor: ids };
    await handlers[0]!.handle(snapshottedCounterAggregate, stream, increment, options);
    for (let i = 0; i < SNAPSHOT_EVERY + 1; i++) await handlers[0]!.handle(snapshottedCounterAggregate, stream, increment, { context: context() });
    const replayed = await handlers[1]!.handle(snapshottedCounterAggregate, stream, increment, options);
    expect(replayed).toMatchObject({ events: [], revision: BigInt(SNAPSHOT_EVERY + 1) });
    expect(await stores[0]!.readStream(stream)).toHaveLength(SNAPSHOT_EVERY + 2);
  });
});
