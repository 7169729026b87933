import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { defineAggregate } from '../../commands/aggregate.js';
import { userAggregate } from '../../commands/identity/aggregates.js';
import { CommandHandler } from '../../commands/command-handler.js';
import { CorruptStreamError } from '../../commands/load-stream.js';
import { systemContext } from '../../commands/metadata.js';
import { PostgresSnapshotStore } from '../../commands/postgres-snapshot-store.js';
import { SNAPSHOT_EVERY } from '../../commands/snapshots.js';
import { stateAsOf } from '../../commands/stream-history.js';
import { Upcasters } from '../../domain/shared/upcasting.js';
import { userStream } from '../../domain/user/streams.js';
import { counterAggregate, increment } from '../support/counter-aggregate.js';
import { createIdentityHarness, type IdentityHarness } from '../support/identity-harness.js';

/**
 * Time travel is generic: an aggregate no feature knows (the test counter)
 * gets its history and its past states from the command handler alone,
 * folded by its own evolve, upcasters applied, snapshots never shortcutting it.
 */
describe('CommandHandler.history: any aggregate’s past', () => {
  let h: IdentityHarness;
  let handler: CommandHandler;

  beforeAll(async () => {
    h = await createIdentityHarness();
    handler = new CommandHandler({ eventStore: h.store, runtime: h.runtime, snapshots: new PostgresSnapshotStore(h.knex) });
  });
  afterAll(async () => h.dispose());

  it('folds each revision with the aggregate’s evolve and places revisions and times in it', async () => {
    const stream = `counter-${randomUUID()}`;
    const context = systemContext(h.runtime);
    const times: Date[] = [];
    for (let i = 0; i < 3; i++) {
      times.push(h.runtime.now());
      await handler.handle(counterAggregate, stream, increment, { context });
      h.clock.advance(60_000);
    }
    const history = await handler.history(counterAggregate, stream);
    expect(history.steps.map((step) => [step.recorded.revision, step.before, step.after])).toEqual([
      [0n, { count: 0 }, { count: 1 }],
      [1n, { count: 1 }, { count: 2 }],
      [2n, { count: 2 }, { count: 3 }],
    ]);
    expect(history.current).toEqual((await handler.load(counterAggregate, stream)).state);
    const at = (asOf: Parameters<typeof stateAsOf>[1]) => {
      const found = stateAsOf(history, asOf);
      return found.kind === 'at' ? found.step.after : found;
    };
    expect(at({ kind: 'revision', revision: 1n })).toEqual({ count: 2 });
    expect(at({ kind: 'revision', revision: 3n })).toEqual({ kind: 'beyond_head', head: 2n });
    expect(at({ kind: 'time', at: new Date(times[1]!.getTime() + 30_000) })).toEqual({ count: 2 });
    expect(at({ kind: 'time', at: new Date(times[0]!.getTime() - 1) })).toEqual({ kind: 'before_first' });
    expect((await handler.history(counterAggregate, `counter-${randomUUID()}`)).steps).toEqual([]);
  });

  it('applies the installation’s upcasters before the aggregate decodes an event', async () => {
    // The counter as if Incremented had changed shape: version 1 said `value`, version 2 says `total`.
    const counterV2 = defineAggregate('counter', counterAggregate.decider, counterAggregate.eventSchema, { schemaVersions: { Incremented: 2 } });
    const upcasting = new CommandHandler({
      eventStore: h.store,
      runtime: h.runtime,
      upcasters: new Upcasters([{ type: 'Incremented', fromVersion: 1, upcast: ({ value, ...rest }) => ({ ...rest, total: value }) }]),
    });
    const stream = `counter-${randomUUID()}`;
    const id = randomUUID();
    await h.store.appendToStream(stream, [{ id, type: 'Incremented', data: { value: 7 }, metadata: { occurredAt: new Date().toISOString(), schemaVersion: 1 } }]);
    const history = await upcasting.history(counterV2, stream);
    expect(history.current).toEqual({ count: 7 });
    expect(history.steps[0]!.recorded.data).toEqual({ total: 7 });
    // Without the upcaster the same event is unreadable: the check loads make is made here too.
    await expect(handler.history(counterAggregate, stream)).rejects.toBeInstanceOf(CorruptStreamError);
  });

  it('reads the whole stream even where a snapshot would shortcut a load', async () => {
    const userId = h.runtime.newId();
    const stream = userStream(userId);
    const context = systemContext(h.runtime);
    await handler.handle(userAggregate, stream, {
      type: 'SignUp',
      data: { userId, tenantId: 't-1', email: `${userId}@example.com`, displayName: '', method: 'password', invitationId: null, roles: ['member'], externalIdentity: null },
    }, { context });
    for (let i = 0; i < SNAPSHOT_EVERY + 5; i++) {
      await handler.handle(userAggregate, stream, { type: 'RecordLogin', data: { method: 'password', sessionId: `s-${i}`, provider: null } }, { context });
    }
    const loaded = await handler.load(userAggregate, stream);
    expect(loaded.snapshotRevision).toBeGreaterThanOrEqual(0n);
    const history = await handler.history(userAggregate, stream);
    expect(BigInt(history.steps.length)).toBe(loaded.revision + 1n);
    expect(history.steps.length).toBeGreaterThan(SNAPSHOT_EVERY);
    expect(history.steps.map((step) => step.recorded.revision)).toEqual(history.steps.map((_, index) => BigInt(index)));
    expect(history.current).toEqual(loaded.state);
  });
});
