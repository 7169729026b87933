import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { userAggregate } from '../../commands/identity/aggregates.js';
import { CommandHandler } from '../../commands/command-handler.js';
import { loadStream } from '../../commands/load-stream.js';
import { systemContext } from '../../commands/metadata.js';
import { PostgresSnapshotStore } from '../../commands/postgres-snapshot-store.js';
import { SNAPSHOT_EVERY } from '../../commands/snapshots.js';
import { userStream } from '../../domain/user/streams.js';
import { createIdentityHarness, type IdentityHarness } from '../support/identity-harness.js';

describe('aggregate snapshots', () => {
  let h: IdentityHarness;
  let snapshots: PostgresSnapshotStore;
  let handler: CommandHandler;

  beforeAll(async () => {
    h = await createIdentityHarness();
    snapshots = new PostgresSnapshotStore(h.knex);
    handler = new CommandHandler({ eventStore: h.store, runtime: h.runtime, snapshots });
  });
  afterAll(async () => h.dispose());

  /** A user whose stream holds a sign-up, role changes and `logins` logins. */
  async function busyUser(logins: number): Promise<string> {
    const userId = h.runtime.newId();
    const context = systemContext(h.runtime);
    const stream = userStream(userId);
    await handler.handle(userAggregate, stream, {
      type: 'SignUp',
      data: { userId, tenantId: 't-1', email: `${userId}@example.com`, displayName: '', method: 'password', invitationId: null, roles: ['member'], externalIdentity: null },
    }, { context });
    for (let i = 0; i < logins; i++) {
      await handler.handle(userAggregate, stream, { type: 'RecordLogin', data: { method: 'password', sessionId: `s-${i}`, provider: null } }, { context });
      if (i === 5) await handler.handle(userAggregate, stream, { type: 'GrantRole', data: { role: 'admin' } }, { context });
    }
    return stream;
  }

  it('folds the same state from a snapshot as from the whole stream, reading only the events after it', async () => {
    const stream = await busyUser(3 * SNAPSHOT_EVERY);
    const whole = await loadStream({ eventStore: h.store }, userAggregate, stream);
    const fromSnapshot = await loadStream({ eventStore: h.store, snapshots }, userAggregate, stream);
    expect(fromSnapshot.state).toEqual(whole.state);
    expect(fromSnapshot.revision).toBe(whole.revision);
    expect(fromSnapshot.position).toBe(whole.position);
    expect(fromSnapshot.snapshotRevision).toBeGreaterThanOrEqual(0n);
    expect(fromSnapshot.events.length).toBeLessThan(SNAPSHOT_EVERY);
  });

  it('ignores a snapshot of another version, or one its schema refuses, and replaces it', async () => {
    const stream = await busyUser(2 * SNAPSHOT_EVERY);
    const whole = await loadStream({ eventStore: h.store }, userAggregate, stream);
    const stored = (await snapshots.load(stream))!;

    await h.knex('aggregate_snapshots').where({ stream }).update({ version: stored.version + 1, state: JSON.stringify({ status: 'Empty' }) });
    expect((await loadStream({ eventStore: h.store, snapshots }, userAggregate, stream)).state).toEqual(whole.state);
    expect((await snapshots.load(stream))?.version).toBe(userAggregate.snapshot?.version);

    await h.knex('aggregate_snapshots').where({ stream }).update({ state: JSON.stringify({ status: 'Active', roles: 'everything' }) });
    const loaded = await loadStream({ eventStore: h.store, snapshots }, userAggregate, stream);
    expect(loaded.state).toEqual(whole.state);
    expect(loaded.events.length).toBe(whole.events.length);
  });

  it('keeps the later of two snapshots written out of order', async () => {
    const stream = await busyUser(2 * SNAPSHOT_EVERY);
    const latest = (await snapshots.load(stream))!;
    await snapshots.save(stream, { ...latest, revision: 1n, state: { status: 'Empty' } });
    expect((await snapshots.load(stream))?.revision).toBe(latest.revision);
  });
});
