import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Knex } from 'knex';
import { z } from 'zod';
import { eventSchema, type DomainEvent } from '../../domain/shared/events.js';
import type { RecordedEvent } from '../../infra/event-store/event-store.js';
import { createKnex } from '../../infra/postgres/knex.js';
import { readModel, ReadModelDefinitionError, ReadModelEventError, ReadModelKeyMismatchError, type ReadModelDefinition } from '../../projections/read-model.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { NoteLog, noteEventSchema, notesReadModel } from '../support/note-read-model.js';

describe('readModel: evolve over typed events, two statements per batch', () => {
  let database: TestDatabase;
  let knex: Knex;
  const notes = notesReadModel();
  let tableCount = 0;

  beforeAll(async () => {
    database = await createTestDatabase();
    knex = createKnex(database.url, 4);
  });

  afterAll(async () => {
    await knex.destroy();
    await database.drop();
  });

  /** A fresh physical table, as the engine hands one to setup for a new generation. */
  async function freshTable(): Promise<string> {
    const table = `notes_t${++tableCount}`;
    await knex.transaction((trx) => notes.setup(trx, { notes: table }));
    return table;
  }

  async function apply(table: string, events: readonly RecordedEvent[]): Promise<void> {
    await knex.transaction((trx) => notes.apply(events, trx, { notes: table }));
  }

  async function rows(table: string): Promise<Array<Record<string, unknown>>> {
    const { rows: found } = await knex.raw<{ rows: Array<Record<string, unknown>> }>(`SELECT *, search::text AS search FROM "${table}" ORDER BY id`);
    return found;
  }

  it('one batch that creates, changes and deletes the same id leaves no row; a later batch deletes and re-creates', async () => {
    const table = await freshTable();
    const log = new NoteLog();
    const [gone, kept, recreated] = [randomUUID(), randomUUID(), randomUUID()];
    await apply(table, [
      log.event('NoteCreated', { noteId: gone, title: 'first', tags: [] }),
      log.event('NoteCreated', { noteId: kept, title: 'kept', tags: ['a'] }),
      log.event('NoteRetitled', { noteId: gone, title: 'second' }),
      log.event('NoteCreated', { noteId: recreated, title: 'old', tags: ['x'] }),
      log.event('NoteTagged', { noteId: gone, tag: 'b' }),
      log.event('NoteDeleted', { noteId: gone }),
      log.event('NoteTagged', { noteId: kept, tag: 'b' }),
    ]);
    const expected = [[kept, 'kept', ['a', 'b']], [recreated, 'old', ['x']]].sort((a, b) => (String(a[0]) < String(b[0]) ? -1 : 1));
    expect((await rows(table)).map((row) => [row.id, row.title, row.tags])).toEqual(expected);

    await apply(table, [
      log.event('NoteDeleted', { noteId: recreated }),
      log.event('NoteCreated', { noteId: recreated, title: 'new', tags: [] }),
      log.event('NoteDeleted', { noteId: kept }),
    ]);
    const after = await rows(table);
    expect(after.map((row) => [row.id, row.title, row.tags, row.revision])).toEqual([[recreated, 'new', [], '2']]);
  });

  it('gives the same rows whatever the batch boundaries, as live (small batches) and replay (large) must', async () => {
    const log = new NoteLog();
    const ids = Array.from({ length: 12 }, () => randomUUID());
    const events: RecordedEvent[] = [];
    const alive = new Set<string>();
    // A fixed walk: creates, retitles, tags (some repeated), deletes and re-creates.
    for (let i = 0; i < 400; i++) {
      const id = ids[(i * 7) % ids.length]!;
      if (!alive.has(id)) {
        events.push(log.event('NoteCreated', { noteId: id, title: `note ${i}`, tags: i % 3 === 0 ? ['start'] : [] }));
        alive.add(id);
      } else if (i % 11 === 0) {
        events.push(log.event('NoteDeleted', { noteId: id }));
        alive.delete(id);
      } else if (i % 2 === 0) {
        events.push(log.event('NoteRetitled', { noteId: id, title: `title ${i} words` }));
      } else {
        events.push(log.event('NoteTagged', { noteId: id, tag: `t${i % 5}` }));
      }
    }
    const results: Array<Array<Record<string, unknown>>> = [];
    for (const size of [1, 7, 64, events.length]) {
      const table = await freshTable();
      for (let offset = 0; offset < events.length; offset += size) await apply(table, events.slice(offset, offset + size));
      results.push(await rows(table));
    }
    expect(results[0]!.length).toBe(alive.size);
    expect(results[0]!.length).toBeGreaterThan(0);
    for (const result of results.slice(1)) expect(result).toEqual(results[0]);
  });

  it('keeps every column kind as evolve wrote it, and fills the generated column', async () => {
    const table = await freshTable();
    const log = new NoteLog();
    const id = randomUUID();
    // Created through COPY, changed through the JSON update: both must keep every character.
    const tags = ['a,b', '{c}', 'd"e', 'back\\slash', 'NULL', ' spaced ', 'tab\there', 'ünï ☃'];
    await apply(table, [log.event('NoteCreated', { noteId: id, title: 'Hello "quoted"\tworld \\N', tags })]);
    await apply(table, [log.event('NoteRetitled', { noteId: id, title: 'Hello again\nworld' })]);
    const [row] = await rows(table);
    expect(row).toEqual({
      id,
      title: 'Hello again\nworld',
      tags,
      stats: { retitles: 1, history: ['Hello "quoted"\tworld \\N', 'Hello again\nworld'] },
      revision: '1',
      created_at: new Date('2026-01-01T00:00:01.000Z'),
      updated_at: new Date('2026-01-01T00:00:02.000Z'),
      search: "'again':2 'hello':1 'world':3",
    });
    const found = await knex.raw<{ rows: unknown[] }>(`SELECT id FROM "${table}" WHERE search @@ to_tsquery('simple', 'again')`);
    expect(found.rows).toEqual([{ id }]);
  });

  it('writes only the rows that changed: a row evolve returns as it was keeps its tuple', async () => {
    const table = await freshTable();
    const log = new NoteLog();
    const id = randomUUID();
    await apply(table, [log.event('NoteCreated', { noteId: id, title: 'same', tags: ['a'] })]);
    const before = await knex.raw<{ rows: Array<{ xmin: string }> }>(`SELECT xmin FROM "${table}"`);
    await apply(table, [log.event('NoteTagged', { noteId: id, tag: 'a' })]);
    const after = await knex.raw<{ rows: Array<{ xmin: string }> }>(`SELECT xmin FROM "${table}"`);
    expect(after.rows).toEqual(before.rows);
  });

  it('a known event whose data fails the schema fails the batch, naming type, position and field, and writes nothing', async () => {
    const table = await freshTable();
    const log = new NoteLog();
    const id = randomUUID();
    const good = log.event('NoteCreated', { noteId: id, title: 'fine', tags: [] });
    const bad = log.event('NoteRetitled', { noteId: id, title: 42 as unknown as string });
    const error = await apply(table, [good, bad]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ReadModelEventError);
    expect(error).toMatchObject({ eventType: 'NoteRetitled', position: bad.position, paths: ['data.title'] });
    expect(await rows(table)).toEqual([]);
  });

  it('an event of a type the union does not know is passed over (the store never delivers one: the filter names the known types)', async () => {
    expect([...notes.filter.eventTypes!].sort()).toEqual(['NoteCreated', 'NoteDeleted', 'NoteRetitled', 'NoteTagged']);
    expect(notes.filter.streamPrefixes).toEqual(['note-']);
    const table = await freshTable();
    const log = new NoteLog();
    const stranger = { ...log.event('NoteCreated', { noteId: randomUUID(), title: 'x', tags: [] }), type: 'NoteArchived' };
    await apply(table, [stranger]);
    expect(await rows(table)).toEqual([]);
  });

  it('refuses a row filed under another key than its own', async () => {
    const wrong = readModel({
      name: 'wrong_key',
      version: 1,
      table: 'wrong_key',
      events: noteEventSchema,
      columns: { id: 'uuid primary key' },
      key: (event) => event.data.noteId,
      evolve: (): { id: string } => ({ id: '00000000-0000-4000-8000-000000000000' }),
    });
    await knex.transaction((trx) => wrong.setup(trx, { wrong_key: 'wrong_key_t' }));
    const event = new NoteLog().event('NoteCreated', { noteId: randomUUID(), title: 'x', tags: [] });
    const error = await knex.transaction((trx) => wrong.apply([event], trx, { wrong_key: 'wrong_key_t' })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ReadModelKeyMismatchError);
  });

  it('checks a definition when it is declared', () => {
    // Declared loosely on purpose: these are the mistakes the types would not all catch (SQL inside strings).
    type Loose = ReadModelDefinition<Record<string, string>, DomainEvent, 'bad'>;
    const declare = (overrides: Partial<Loose>) => () =>
      readModel({ name: 'bad', version: 1, table: 'bad', events: noteEventSchema, columns: { id: 'uuid primary key' }, key: () => undefined, evolve: () => null, ...overrides } as Loose);
    expect(declare({ columns: { id: 'uuid' } })).toThrow(ReadModelDefinitionError);
    expect(declare({ columns: { id: 'uuid primary key', other: 'text primary key' } })).toThrow(/exactly one/);
    expect(declare({ columns: { id: 'uuid primary key', v: "tsvector generated always as (to_tsvector('simple', id::text)) stored" } })).toThrow(/generated/);
    expect(declare({ columns: { id: 'uuid primary key', odd: 'text; DROP TABLE x' } })).toThrow(/cannot read a type/);
    expect(declare({ generated: { v: 'tsvector' } })).toThrow(/GENERATED ALWAYS AS/);
    expect(declare({ filter: { eventTypes: ['NoteCreated', 'Nope'] } })).toThrow(/Nope/);
    expect(declare({ events: z.object({ type: z.string(), data: z.object({}) }) })).toThrow(/zod union/);
    expect(declare({ events: eventSchema('Only', z.object({ id: z.string() })) })().filter.eventTypes).toEqual(['Only']);
  });
});
