import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Knex } from 'knex';
import type pg from 'pg';
import type { Caller } from '../../domain/shared/caller.js';
import { createKnex } from '../../infra/postgres/knex.js';
import { findReadablePost, listReadablePosts, postReads, type PostReads } from '../../projections/posts/post-queries.js';
import type { PostRow } from '../../projections/posts/post-row.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';

const TENANT = 't-1';
const AUTHOR = 'u-1';
const admin: Caller = { type: 'user', userId: 'u-admin', tenantId: TENANT, admin: true };

describe('the post queries: rows as evolve writes them, straight from PostgreSQL', () => {
  let database: TestDatabase;
  let knex: Knex;
  let reads: PostReads;

  beforeAll(async () => {
    database = await createTestDatabase();
    // Sessions in a zone other than UTC.
    const setup = createKnex(database.url, 1);
    await setup.raw(`ALTER DATABASE "${new URL(database.url).pathname.slice(1)}" SET TimeZone = 'America/New_York'`);
    await setup.destroy();
    // One connection: the statements it has prepared are the pool's.
    knex = createKnex(database.url, 1);
    expect((await knex.raw<{ rows: Array<{ TimeZone: string }> }>('SHOW TimeZone')).rows[0]!.TimeZone).toBe('America/New_York');
    await knex.raw(`CREATE TABLE posts (id text PRIMARY KEY, tenant_id text NOT NULL, author_id text NOT NULL, title text NOT NULL, body text NOT NULL,
      format text NOT NULL, visibility text NOT NULL, revision int8 NOT NULL, created_at timestamptz NOT NULL, updated_at timestamptz NOT NULL)`);
    // Five posts created within one millisecond (microseconds apart, finer than the answer shows), a sixth a day later.
    await knex.raw(`
      INSERT INTO posts
      SELECT 'p-' || g, ?, ?, 'Title ' || g, 'Body ' || g, 'plain', 'private', g,
             timestamptz '2026-03-04 05:06:07.123000+00' + g * interval '1 microsecond' + CASE WHEN g = 6 THEN interval '1 day' ELSE interval '0' END,
             timestamptz '2026-12-31 23:59:59.999999+00'
        FROM generate_series(1, 6) AS g`, [TENANT, AUTHOR]);
    reads = postReads(knex);
  });

  afterAll(async () => {
    await knex?.destroy();
    await database?.drop();
  });

  it('answers timestamps as Date.toISOString would write them, in UTC to the millisecond, whatever the session’s zone', async () => {
    const expected: Partial<PostRow> = { id: 'p-6', revision: '6', created_at: '2026-03-05T05:06:07.123Z', updated_at: '2026-12-31T23:59:59.999Z' };
    expect(await findReadablePost(reads, admin, 'p-6')).toMatchObject(expected);
    const page = await listReadablePosts(reads, admin, {}, { limit: 1 });
    expect(page.items).toEqual([
      { id: 'p-6', tenant_id: TENANT, author_id: AUTHOR, title: 'Title 6', body: 'Body 6', format: 'plain', visibility: 'private', ...expected },
    ]);
    expect(new Date(page.items[0]!.created_at).toISOString()).toBe(page.items[0]!.created_at);
  });

  it('orders a list by the instant, not by its text: posts of one millisecond come newest first and a cursor skips none of them', async () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    for (let pages = 0; pages < 10; pages++) {
      const page = await listReadablePosts(reads, admin, {}, { limit: 2, ...(cursor === undefined ? {} : { cursor }) });
      seen.push(...page.items.map((item) => item.id));
      if (page.nextCursor === null) break;
      cursor = page.nextCursor;
    }
    expect(seen).toEqual(['p-6', 'p-5', 'p-4', 'p-3', 'p-2', 'p-1']);
  });

  it('has the driver parse no timestamp: every column the post statements answer is text or int8', async () => {
    await findReadablePost(reads, admin, 'p-1');
    const first = await listReadablePosts(reads, admin, {}, { limit: 2 });
    await listReadablePosts(reads, admin, {}, { limit: 2, cursor: first.nextCursor! });
    const connection = (await knex.client.acquireConnection()) as pg.Client;
    try {
      const { rows } = await connection.query<{ name: string; result_types: string[] }>(
        "SELECT name, result_types::text[] AS result_types FROM pg_prepared_statements WHERE name LIKE 'find_post%' OR name LIKE 'list_posts%' ORDER BY name",
      );
      expect(rows.map((row) => row.name.replace(/_[0-9a-f]{12}$/, ''))).toEqual(
        expect.arrayContaining(['find_post_user_admin', 'list_posts_user_admin_any_2_first', 'list_posts_user_admin_any_2_next']),
      );
      for (const row of rows) expect(new Set(row.result_types)).toEqual(new Set(['text', 'bigint']));
    } finally {
      await knex.client.releaseConnection(connection);
    }
  });
});
