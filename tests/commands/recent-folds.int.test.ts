import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { userAggregate } from '../../commands/identity/aggregates.js';
import { CommandHandler } from '../../commands/command-handler.js';
import { systemContext } from '../../commands/metadata.js';
import { PostgresSnapshotStore } from '../../commands/postgres-snapshot-store.js';
import { RecentFolds } from '../../commands/recent-folds.js';
import type { SnapshotStore, StoredSnapshot } from '../../commands/snapshots.js';
import { userStream } from '../../domain/user/streams.js';
import type { ActiveUser } from '../../domain/user/state.js';
import { createIdentityHarness, type IdentityHarness } from '../support/identity-harness.js';

/** The snapshot store, counting the rows it reads. */
class CountingSnapshots implements SnapshotStore {
  loads = 0;
  constructor(private readonly inner: SnapshotStore) {}
  load(stream: string): Promise<StoredSnapshot | undefined> {
    this.loads++;
    return this.inner.load(stream);
  }
  save(stream: string, snapshot: StoredSnapshot): Promise<void> {
    return this.inner.save(stream, snapshot);
  }
}

describe('recent folds: a user loaded on every request', () => {
  let h: IdentityHarness;
  let snapshots: CountingSnapshots;
  /** This process, with its folds, and another process writing the same streams. */
  let here: CommandHandler;
  let elsewhere: CommandHandler;

  beforeAll(async () => {
    h = await createIdentityHarness();
    snapshots = new CountingSnapshots(new PostgresSnapshotStore(h.knex));
    here = new CommandHandler({ eventStore: h.store, runtime: h.runtime, snapshots, recentFolds: new RecentFolds() });
    elsewhere = new CommandHandler({ eventStore: h.store, runtime: h.runtime, snapshots: new PostgresSnapshotStore(h.knex) });
  });
  afterAll(async () => h.dispose());

  async function signedUp(): Promise<string> {
    const userId = h.runtime.newId();
    await elsewhere.handle(userAggregate, userStream(userId), {
      type: 'SignUp',
      data: { userId, tenantId: 't-1', email: `${userId}@example.com`, displayName: '', method: 'password', invitationId: null, roles: ['member'], externalIdentity: null },
    }, { context: systemContext(h.runtime) });
    return userStream(userId);
  }

  it('starts a load from the last fold, reading no snapshot and only the events recorded since', async () => {
    const stream = await signedUp();
    const first = await here.load(userAggregate, stream);
    const snapshotReads = snapshots.loads;
    const again = await here.load(userAggregate, stream);
    expect(snapshots.loads).toBe(snapshotReads);
    expect(again.events).toEqual([]);
    expect(again.state).toEqual(first.state);
    expect(again.revision).toBe(first.revision);
    expect(again.position).toBe(first.position);
  });

  it('sees at once a role granted by another process', async () => {
    const stream = await signedUp();
    expect((await here.load(userAggregate, stream)).state).toMatchObject({ roles: ['member'] });
    await elsewhere.handle(userAggregate, stream, { type: 'GrantRole', data: { role: 'admin' } }, { context: systemContext(h.runtime) });
    const loaded = await here.load(userAggregate, stream);
    expect((loaded.state as ActiveUser).roles).toEqual(['member', 'admin']);
    expect(loaded.events.map((event) => event.type)).toEqual(['UserRoleGranted']);
  });

  it('an unconditional append on stale state leaves no fold that misses what another process appended', async () => {
    const stream = await signedUp();
    await here.load(userAggregate, stream);
    await elsewhere.handle(userAggregate, stream, { type: 'Disable', data: {} }, { context: systemContext(h.runtime) });
    // Decided on the fold, which has not seen the Disable: appended without a revision check.
    await here.handle(userAggregate, stream, { type: 'RecordLoginFailure', data: { reason: 'invalid_password' } }, { context: systemContext(h.runtime), unconditional: true });
    const loaded = await here.load(userAggregate, stream);
    const whole = await elsewhere.load(userAggregate, stream);
    expect(loaded.state).toEqual(whole.state);
    expect(loaded.state).toMatchObject({ disabled: true });
    expect(loaded.revision).toBe(whole.revision);
  });

  it('a fold is shared by later loads, so it cannot be changed in place', async () => {
    const stream = await signedUp();
    await here.load(userAggregate, stream);
    const { state } = await here.load(userAggregate, stream);
    expect(() => (state as unknown as { roles: string[] }).roles.push('admin')).toThrow(TypeError);
  });
});
