import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Knex } from 'knex';
import { createKnex } from '../../infra/postgres/knex.js';
import { param, PreparedQuery } from '../../projections/prepared-query.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';

describe('PreparedQuery: a query builder compiled once, run with new values', () => {
  let database: TestDatabase;
  let knex: Knex;

  beforeAll(async () => {
    database = await createTestDatabase();
    knex = createKnex(database.url, 2);
    await knex.raw(`CREATE TABLE things (id text PRIMARY KEY, owner text NOT NULL, kind text NOT NULL, tags text[] NOT NULL)`);
    await knex('things').insert([
      { id: 'a', owner: 'ann', kind: 'public', tags: ['x'] },
      { id: 'b', owner: 'bob', kind: 'private', tags: ['y'] },
      { id: 'c', owner: 'ann', kind: 'private', tags: ['y', 'z'] },
    ]);
  });
  afterAll(async () => {
    await knex?.destroy();
    await database?.drop();
  });

  const query = () =>
    new PreparedQuery<{ owner: string; tag: string }>(
      'things_of',
      knex('things')
        .select('id')
        .where((visible) => visible.where('kind', 'public').orWhere('owner', param('owner')))
        .andWhereRaw('NOT (tags @> ARRAY[?]::text[])', [param('tag')])
        .orderBy('id'),
    );

  it('puts each run’s values where their markers were, and keeps the constants', async () => {
    const things = query();
    expect(await things.rows(knex, { owner: 'ann', tag: 'q' })).toEqual([{ id: 'a' }, { id: 'c' }]);
    expect(await things.rows(knex, { owner: 'bob', tag: 'x' })).toEqual([{ id: 'b' }]);
    expect(await things.rows(knex, { owner: 'ann', tag: 'z' })).toEqual([{ id: 'a' }]);
    // Over and over on the pool's connections: the same prepared statement, reused.
    for (let i = 0; i < 10; i++) expect(await things.rows(knex, { owner: 'nobody', tag: 'x' })).toEqual([]);
  });

  it('two shapes under one name stay apart', async () => {
    const other = new PreparedQuery<{ owner: string }>('things_of', knex('things').select('id').where('owner', param('owner')).orderBy('id'));
    expect(await other.rows(knex, { owner: 'ann' })).toEqual([{ id: 'a' }, { id: 'c' }]);
    expect(await query().rows(knex, { owner: 'ann', tag: 'y' })).toEqual([{ id: 'a' }]);
  });

  it('refuses a run without a value for every marker', async () => {
    await expect(query().rows(knex, { owner: 'ann' } as { owner: string; tag: string })).rejects.toThrow(/no value for tag/);
  });

  it('keeps two shapes apart whose names are longer than PostgreSQL keeps (63 bytes) and differ only past the cut', async () => {
    const long = 'a_list_whose_shape_names_every_filter_it_was_given_author_collection_q';
    const byOwner = new PreparedQuery<{ owner: string }>(`${long}_owner`, knex('things').select('id').where('owner', param('owner')).orderBy('id'));
    const byKind = new PreparedQuery<{ kind: string }>(`${long}_kind`, knex('things').select('id').where('kind', param('kind')).orderBy('id'));
    for (let i = 0; i < 3; i++) {
      expect(await byOwner.rows(knex, { owner: 'ann' })).toEqual([{ id: 'a' }, { id: 'c' }]);
      expect(await byKind.rows(knex, { kind: 'private' })).toEqual([{ id: 'b' }, { id: 'c' }]);
    }
  });
});
