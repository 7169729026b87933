import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { collectionAggregate } from '../../commands/collection-aggregate.js';
import { CommandHandler } from '../../commands/command-handler.js';
import { reactionEventIds } from '../../commands/event-ids.js';
import { buildMetadata, type CommandContext } from '../../commands/metadata.js';
import { systemRuntime } from '../../commands/runtime.js';
import type { CollectionCommand } from '../../domain/collection/commands.js';
import { collectionStream } from '../../domain/collection/streams.js';
import type { UserCaller } from '../../domain/shared/caller.js';
import type { JsonObject, NewEvent, RecordedEvent } from '../../infra/event-store/event-store.js';
import { REMOVALS_DUE } from '../../projections/collections/post-removals-due.js';
import { spawnWorkerScript, type ChildWorker } from '../support/child-worker.js';
import { createProjectionHarness, eventually, reachedHead, type ProjectionHarness } from '../support/projection-harness.js';

const WORKER = fileURLToPath(new URL('../support/post-removal-worker.ts', import.meta.url));
const runtime = systemRuntime();
const tenantId = randomUUID();
const owner: UserCaller = { type: 'user', userId: randomUUID(), tenantId, admin: false };
const userContext: CommandContext = { actor: { type: 'user', id: owner.userId }, tenantId, correlationId: randomUUID(), causationId: randomUUID(), requestId: null };

let harness: ProjectionHarness;
let commands: CommandHandler;
const workers: ChildWorker[] = [];

function spawnWorker(env: Record<string, string> = {}): ChildWorker {
  const worker = spawnWorkerScript(WORKER, harness.database.url, env);
  workers.push(worker);
  return worker;
}

beforeAll(async () => {
  harness = await createProjectionHarness();
  commands = new CommandHandler({ eventStore: harness.store, runtime });
});
afterAll(async () => {
  // A failed test leaves its workers running: they must not outlive it.
  await Promise.all(workers.map((worker) => worker.kill('SIGKILL')));
  await harness?.dispose();
});

function postEvent(type: string, data: JsonObject, context: CommandContext): NewEvent {
  const id = randomUUID();
  // PostCreated is at schema version 2 (with format and visibility).
  return { id, type, data, metadata: buildMetadata(context, id, runtime, type === 'PostCreated' ? 2 : 1) as JsonObject };
}

async function createPost(): Promise<string> {
  const postId = randomUUID();
  const data = { postId, tenantId, authorId: owner.userId, title: 'A post', body: 'Text', format: 'plain', visibility: 'public' };
  await harness.store.appendToStream(`post-${postId}`, [postEvent('PostCreated', data, userContext)]);
  return postId;
}

async function collection(command: CollectionCommand, collectionId: string): Promise<void> {
  await commands.handle(collectionAggregate, collectionStream(collectionId), command, { context: userContext });
}

async function collectionHolding(postId: string): Promise<string> {
  const collectionId = randomUUID();
  await collection({ type: 'CreateCollection', by: owner, data: { collectionId, name: `Holds ${postId}`, visibility: 'private' } }, collectionId);
  await collection({ type: 'AddPost', by: owner, data: { postId, post: { tenantId, readable: true } } }, collectionId);
  return collectionId;
}

async function removals(): Promise<RecordedEvent[]> {
  return harness.store.readAll({ filter: { eventTypes: ['PostRemovedFromCollection'] } });
}

async function dueRows(): Promise<number> {
  const { rows } = await harness.knex.raw<{ rows: Array<{ count: number }> }>(`SELECT count(*)::int AS count FROM "${REMOVALS_DUE}"`);
  return rows[0]?.count ?? -1;
}

async function holds(collectionId: string, postId: string): Promise<boolean> {
  const events = await harness.store.readStream(collectionStream(collectionId));
  let held = false;
  for (const event of events) {
    if (event.data.postId !== postId) continue;
    if (event.type === 'PostAddedToCollection') held = true;
    if (event.type === 'PostRemovedFromCollection') held = false;
  }
  return held;
}

describe('deleting a post takes it out of every collection', () => {
  it('exactly once, with the deletion as cause, through a worker killed in the middle and two workers racing after', async () => {
    const postId = await createPost();
    const collectionIds: string[] = [];
    for (let i = 0; i < 30; i++) collectionIds.push(await collectionHolding(postId));
    // Taken out by hand before the deletion, and a collection deleted: owed nothing.
    const emptied = await collectionHolding(postId);
    await collection({ type: 'RemovePost', by: owner, data: { postId } }, emptied);
    const deleted = await collectionHolding(postId);
    await collection({ type: 'DeleteCollection', by: owner, data: {} }, deleted);
    const otherPost = await createPost();
    const bystander = await collectionHolding(otherPost);

    const deletionContext: CommandContext = { ...userContext, correlationId: `delete-${randomUUID()}`, causationId: randomUUID() };
    const deletion = postEvent('PostDeleted', { postId }, deletionContext);
    await harness.store.appendToStream(`post-${postId}`, [deletion]);

    const first = spawnWorker({ REACTOR_PAUSE_MS: '60' });
    await eventually('some removals are appended', async () => (await removals()).length >= 10);
    await first.kill('SIGKILL');
    expect((await removals()).length).toBeLessThan(collectionIds.length);

    // Added after the deletion was recorded (decided on a state before it): owed a removal of its own.
    const lateAdd = String((await removals()).find((event) => event.data.reason === 'post_deleted')?.data.collectionId);
    const late: NewEvent = { ...postEvent('PostAddedToCollection', { collectionId: lateAdd, postId }, userContext) };
    await harness.store.appendToStream(collectionStream(lateAdd), [late]);

    const racing = [spawnWorker(), spawnWorker()];
    await eventually(
      'every collection lost the post and nothing is due',
      async () =>
        (await Promise.all(collectionIds.map((id) => holds(id, postId)))).every((held) => !held) &&
        (await reachedHead(harness.knex, harness.store, 'collection_post_removals')) &&
        (await dueRows()) === 0,
      60_000,
    );
    await Promise.all(racing.map((worker) => worker.kill('SIGTERM')));

    const appended = await removals();
    const byCollection = new Map<string, RecordedEvent[]>();
    for (const event of appended.filter((event) => event.data.reason === 'post_deleted')) {
      byCollection.set(String(event.data.collectionId), [...(byCollection.get(String(event.data.collectionId)) ?? []), event]);
    }
    expect([...byCollection.keys()].sort()).toEqual([...collectionIds].sort());
    for (const id of collectionIds) {
      const expectedIds = [reactionEventIds(deletion.id, id)(0), ...(id === lateAdd ? [reactionEventIds(deletion.id, `${id}/${late.id}`)(0)] : [])];
      const events = byCollection.get(id) ?? [];
      expect(events.map((event) => event.id)).toEqual(expectedIds);
      for (const event of events) {
        expect(event.metadata).toMatchObject({ correlationId: deletionContext.correlationId, causationId: deletion.id, actor: { type: 'system' }, tenantId });
      }
    }
    expect(await holds(bystander, otherPost)).toBe(true);
  }, 120_000);
});
