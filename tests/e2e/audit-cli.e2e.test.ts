import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { JsonObject, NewEvent } from '../../infra/event-store/event-store.js';
import { PostgresEventStore } from '../../infra/event-store/postgres/postgres-event-store.js';
import { createLogger } from '../../infra/logging/logger.js';
import { eventually } from '../support/projection-harness.js';
import { ChronicleProcess } from '../support/chronicle-process.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';

/**
 * The operator CLI's audit commands and `events tail`'s filters, against a
 * database holding a small known history and no worker: the audit trail is
 * built with `projections replay audit_events`, as an operator would.
 */
describe('chronicle audit and events tail', () => {
  let database: TestDatabase;
  let store: PostgresEventStore;
  const alice = randomUUID();
  const postId = randomUUID();
  const collectionId = randomUUID();
  const deletionId = randomUUID();
  const deletionCorrelation = randomUUID();

  const run = async (...args: string[]) => {
    const cli = new ChronicleProcess(args, { DATABASE_URL: database.url, LOG_LEVEL: 'warn' });
    const exit = await cli.exit(90_000);
    return { code: exit.code, stdout: cli.stdout, stderr: cli.stderr, transcript: cli.transcript() };
  };
  const jsonLines = (stdout: string) => stdout.trim().split('\n').filter(Boolean).map((line) => JSON.parse(line) as { id: string; stream: string; type: string });

  function event(type: string, actor: JsonObject, correlationId: string, options: { id?: string; causationId?: string } = {}): NewEvent {
    const id = options.id ?? randomUUID();
    const metadata = { eventId: id, correlationId, causationId: options.causationId ?? correlationId, actor, tenantId: 't1', requestId: null, occurredAt: new Date().toISOString(), schemaVersion: 1 };
    return { id, type, data: { postId }, metadata };
  }

  beforeAll(async () => {
    database = await createTestDatabase();
    store = await PostgresEventStore.connect({ connectionString: database.url, logger: createLogger('silent') });
    const user = { type: 'user', id: alice };
    const system = { type: 'system', id: 'chronicle' };
    await store.appendToStream(`post-${postId}`, [event('PostCreated', user, randomUUID()), event('PostUpdated', user, randomUUID())]);
    // A stream whose name starts with the other's: `--stream` means that stream alone.
    await store.appendToStream(`post-${postId}0`, [event('PostCreated', { type: 'user', id: 'bob' }, randomUUID())]);
    await store.appendToStream(`collection-${collectionId}`, [event('CollectionCreated', user, randomUUID())]);
    await store.appendToStream(`post-${postId}`, [event('PostDeleted', user, deletionCorrelation, { id: deletionId })]);
    await store.appendToStream(`collection-${collectionId}`, [event('PostRemovedFromCollection', system, deletionCorrelation, { causationId: deletionId })]);
    await store.appendToStream(`user-${alice}`, [event('UserLoginFailed', system, randomUUID())]);
    const replay = await run('projections', 'replay', 'audit_events');
    expect({ code: replay.code, transcript: replay.code === 0 ? '' : replay.transcript }).toEqual({ code: 0, transcript: '' });
  }, 180_000);
  afterAll(async () => {
    await store?.close();
    await database?.drop();
  });

  it('audit stream: a table of the stream in order; --backwards --json, one JSON object per line, newest first', async () => {
    const [table, json, none] = await Promise.all([
      run('audit', 'stream', `post-${postId}`),
      run('audit', 'stream', `post-${postId}`, '--backwards', '--json'),
      run('audit', 'stream', `post-${randomUUID()}`),
    ]);
    expect(table.code).toBe(0);
    const lines = table.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^POSITION\s+OCCURRED AT\s+STREAM\s+REV\s+TYPE\s+ACTOR\s+CORRELATION$/);
    expect(lines.slice(1).map((line) => line.split(/\s+/)[4])).toEqual(['PostCreated', 'PostUpdated', 'PostDeleted']);
    expect(lines[1]).toContain(`user:${alice}`);
    expect(json.code).toBe(0);
    expect(jsonLines(json.stdout).map((line) => line.type)).toEqual(['PostDeleted', 'PostUpdated', 'PostCreated']);
    expect({ code: none.code, stdout: none.stdout }).toEqual({ code: 1, stdout: '' });
    expect(none.stderr).toContain('no events in stream');
  }, 180_000);

  it('audit actor: everything the actor did, narrowed by --category and --type', async () => {
    const [all, narrowed] = await Promise.all([run('audit', 'actor', alice, '--json'), run('audit', 'actor', alice, '--category', 'post', '--type', 'PostUpdated', '--json')]);
    expect(jsonLines(all.stdout).map((line) => line.type)).toEqual(['PostCreated', 'PostUpdated', 'CollectionCreated', 'PostDeleted']);
    expect(jsonLines(narrowed.stdout).map((line) => line.type)).toEqual(['PostUpdated']);
  }, 180_000);

  it('audit correlation: the deletion with the removal it caused beneath it', async () => {
    const tree = await run('audit', 'correlation', deletionCorrelation);
    expect(tree.code).toBe(0);
    const lines = tree.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^EVENT\s+STREAM/);
    expect(lines[1]).toMatch(new RegExp(`^PostDeleted\\s+post-${postId}\\s`));
    expect(lines[2]).toMatch(new RegExp(`^└─ PostRemovedFromCollection\\s+collection-${collectionId}\\s.*system:chronicle`));
    expect(lines).toHaveLength(3);
  }, 180_000);

  it('events tail: --stream is that stream alone; --category and --type narrow; they combine', async () => {
    const [stream, both] = await Promise.all([
      run('events', 'tail', '--stream', `post-${postId}`),
      run('events', 'tail', '--category', 'post', '--category', 'user', '--type', 'PostCreated', '--type', 'UserLoginFailed'),
    ]);
    expect(jsonLines(stream.stdout).map((line) => [line.stream, line.type])).toEqual([
      [`post-${postId}`, 'PostCreated'],
      [`post-${postId}`, 'PostUpdated'],
      [`post-${postId}`, 'PostDeleted'],
    ]);
    expect(jsonLines(both.stdout).map((line) => line.type)).toEqual(['PostCreated', 'PostCreated', 'UserLoginFailed']);
  }, 180_000);

  it('events tail --follow --type: prints matching events as they are appended, and only those', async () => {
    const tail = new ChronicleProcess(['events', 'tail', '--follow', '--type', 'Pinged'], { DATABASE_URL: database.url, LOG_LEVEL: 'warn', SUBSCRIPTION_POLL_MS: '100' });
    try {
      const first = event('Pinged', { type: 'system', id: 'chronicle' }, randomUUID());
      await store.appendToStream(`ping-${randomUUID()}`, [event('Ponged', { type: 'system', id: 'chronicle' }, randomUUID()), first]);
      await eventually('the first ping is tailed', async () => tail.stdout.includes(first.id), 60_000);
      const second = event('Pinged', { type: 'system', id: 'chronicle' }, randomUUID());
      await store.appendToStream(`ping-${randomUUID()}`, [second]);
      await eventually('the second ping is tailed', async () => tail.stdout.includes(second.id), 60_000);
      tail.kill('SIGTERM');
      expect(await tail.exit(30_000)).toEqual({ code: 0, signal: null });
      expect(jsonLines(tail.stdout).map((line) => line.id)).toEqual([first.id, second.id]);
    } finally {
      tail.kill('SIGKILL');
    }
  }, 180_000);
});
