import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { z } from 'zod';
import { defineAggregate } from '../../commands/aggregate.js';
import { CommandHandler } from '../../commands/command-handler.js';
import { systemContext } from '../../commands/metadata.js';
import { RecentFolds } from '../../commands/recent-folds.js';
import { systemRuntime } from '../../commands/runtime.js';
import type { Decider } from '../../domain/shared/decider.js';
import { ConflictError, PreconditionFailedError } from '../../domain/shared/errors.js';
import { eventSchema } from '../../domain/shared/events.js';
import { PostgresEventStore } from '../../infra/event-store/postgres/postgres-event-store.js';
import { createLogger } from '../../infra/logging/logger.js';
import { counterAggregate, increment } from '../support/counter-aggregate.js';
import { CountingEventStore } from '../support/counting-event-store.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';

/** A gate: Pass is refused while it is closed; Open and Close change nothing when it already is so. */
const gateEventSchema = z.discriminatedUnion('type', [eventSchema('Opened', z.object({})), eventSchema('Closed', z.object({})), eventSchema('Passed', z.object({}))]);
type GateEvent = z.infer<typeof gateEventSchema>;
type GateCommand = { type: 'Open' } | { type: 'Close' } | { type: 'Pass' };
class GateClosed extends ConflictError {
  constructor() {
    super('the gate is closed', { code: 'gate_closed' });
  }
}
const gateDecider: Decider<{ open: boolean }, GateCommand, GateEvent> = {
  initialState: () => ({ open: false }),
  evolve: (state, event) => (event.type === 'Opened' ? { open: true } : event.type === 'Closed' ? { open: false } : state),
  decide: (command, state) => {
    if (command.type === 'Open') return state.open ? [] : [{ type: 'Opened', data: {} }];
    if (command.type === 'Close') return state.open ? [{ type: 'Closed', data: {} }] : [];
    if (!state.open) throw new GateClosed();
    return [{ type: 'Passed', data: {} }];
  },
};
const gateAggregate = defineAggregate('gate', gateDecider, gateEventSchema);

const runtime = systemRuntime();
const context = () => systemContext(runtime);

describe('a command decided on the fold this process last made of its stream', () => {
  let database: TestDatabase;
  let stores: PostgresEventStore[];
  /** This process: counts its stream reads. */
  let reads: CountingEventStore;
  let here: CommandHandler;
  /** Another process writing the same streams, with folds of its own. */
  let elsewhere: CommandHandler;

  beforeAll(async () => {
    database = await createTestDatabase();
    stores = await Promise.all([0, 1].map(() => PostgresEventStore.connect({ connectionString: database.url, logger: createLogger('silent'), pollIntervalMs: 200 })));
    reads = new CountingEventStore(stores[0]!);
    here = new CommandHandler({ eventStore: reads, runtime, recentFolds: new RecentFolds() });
    elsewhere = new CommandHandler({ eventStore: stores[1]!, runtime, recentFolds: new RecentFolds() });
  });
  afterAll(async () => {
    await Promise.all(stores.map((store) => store.close()));
    await database.drop();
  });

  const streamReadsBy = async (work: () => Promise<unknown>): Promise<number> => {
    const before = reads.reads.filter((read) => read === 'readStream').length;
    await work();
    return reads.reads.filter((read) => read === 'readStream').length - before;
  };

  it('reads nothing when this process wrote the stream last, and decides on what it wrote', async () => {
    const stream = `counter-${runtime.newId()}`;
    await here.handle(counterAggregate, stream, increment, { context: context() });
    let second: unknown;
    expect(await streamReadsBy(async () => (second = await here.handle(counterAggregate, stream, increment, { context: context() })))).toBe(0);
    expect(second).toMatchObject({ revision: 1n, state: { count: 2 } });
    expect(await streamReadsBy(() => here.handle(counterAggregate, stream, increment, { context: context(), ifMatch: 1n }))).toBe(0);
    expect((await stores[0]!.readStream(stream)).map((event) => event.data['total'])).toEqual([1, 2, 3]);
  });

  it('loses nothing another process appended since: the append refuses the fold and the command runs on the stream as read', async () => {
    const stream = `counter-${runtime.newId()}`;
    await here.handle(counterAggregate, stream, increment, { context: context() });
    await elsewhere.handle(counterAggregate, stream, increment, { context: context() });
    const result = await here.handle(counterAggregate, stream, increment, { context: context() });
    expect(result).toMatchObject({ revision: 2n, state: { count: 3 } });
    expect((await stores[0]!.readStream(stream)).map((event) => event.data['total'])).toEqual([1, 2, 3]);
  });

  it('takes an If-Match of a revision another process made, and refuses one the stream has left behind', async () => {
    const stream = `counter-${runtime.newId()}`;
    await here.handle(counterAggregate, stream, increment, { context: context() });
    await elsewhere.handle(counterAggregate, stream, increment, { context: context() });
    await expect(here.handle(counterAggregate, stream, increment, { context: context(), ifMatch: 1n })).resolves.toMatchObject({ revision: 2n, state: { count: 3 } });
    await elsewhere.handle(counterAggregate, stream, increment, { context: context() });
    // The fold is at 2, as this If-Match: the append finds 3 and the answer is 412 with the stream's revision.
    const stale = here.handle(counterAggregate, stream, increment, { context: context(), ifMatch: 2n });
    await expect(stale).rejects.toBeInstanceOf(PreconditionFailedError);
    await expect(stale).rejects.toMatchObject({ details: [{ expectedRevision: '2', actualRevision: '3' }] });
    expect(await stores[0]!.readStream(stream)).toHaveLength(4);
  });

  it('a refusal on the fold is decided again on the stream as read: opened elsewhere, the gate lets the command pass', async () => {
    const stream = `gate-${runtime.newId()}`;
    await here.handle(gateAggregate, stream, { type: 'Open' }, { context: context() });
    await here.handle(gateAggregate, stream, { type: 'Close' }, { context: context() });
    await elsewhere.handle(gateAggregate, stream, { type: 'Open' }, { context: context() });
    await expect(here.handle(gateAggregate, stream, { type: 'Pass' }, { context: context() })).resolves.toMatchObject({ revision: 3n, events: [{ type: 'Passed' }] });
    // Closed again elsewhere: refused, now on the stream as read.
    await elsewhere.handle(gateAggregate, stream, { type: 'Close' }, { context: context() });
    await expect(here.handle(gateAggregate, stream, { type: 'Pass' }, { context: context() })).rejects.toBeInstanceOf(GateClosed);
  });

  it('nothing to do on the fold is decided again on the stream as read: closed elsewhere, Open opens it', async () => {
    const stream = `gate-${runtime.newId()}`;
    await here.handle(gateAggregate, stream, { type: 'Open' }, { context: context() });
    await elsewhere.handle(gateAggregate, stream, { type: 'Close' }, { context: context() });
    await expect(here.handle(gateAggregate, stream, { type: 'Open' }, { context: context() })).resolves.toMatchObject({ revision: 2n, events: [{ type: 'Opened' }], state: { open: true } });
    // And when there is truly nothing to do, the answer is the stream's revision as read.
    await elsewhere.handle(gateAggregate, stream, { type: 'Pass' }, { context: context() });
    await expect(here.handle(gateAggregate, stream, { type: 'Open' }, { context: context() })).resolves.toMatchObject({ revision: 3n, events: [] });
  });

  it('20 concurrent commands in this process and 20 in another all land, each on the state before it', async () => {
    const stream = `counter-${runtime.newId()}`;
    await here.handle(counterAggregate, stream, increment, { context: context() });
    const results = await Promise.allSettled(
      Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? here : elsewhere).handle(counterAggregate, stream, increment, { context: context() })),
    );
    expect(results.filter((result) => result.status === 'rejected')).toEqual([]);
    expect((await stores[0]!.readStream(stream)).map((event) => event.data['total'])).toEqual(Array.from({ length: 41 }, (_, i) => i + 1));
  });
});
