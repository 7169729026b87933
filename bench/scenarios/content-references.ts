/**
 * The limits the content routes are held against, measured in the same run
 * on the same PostgreSQL server: the event store's own 1-event append (what
 * any write must pay) and a minimal express + pg app reading one row by
 * primary key (what any read over HTTP must pay).
 */
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import express from 'express';
import pg from 'pg';
import type { EventStore } from '../../infra/event-store/event-store.js';
import { benchEvent } from '../support/measure.js';
import { measureHttpLoad } from '../support/http-load.js';
import { measureLoad, type LoadFigures, type LoadOptions } from '../support/load.js';

/**
 * 1 event of about 400 bytes to a new stream per append, as a post's
 * creation writes it, straight through `appendToStream`. In a stream and of a
 * type no read model of the server follows: a post's read model would reject
 * the bench's shape of event and stop.
 */
export async function measureRawAppends(store: EventStore, load: LoadOptions): Promise<LoadFigures> {
  return measureLoad(load, async (i) => {
    await store.appendToStream(`benchappend-${randomUUID()}`, [{ ...benchEvent(i), type: 'BenchAppended' }], { expectedRevision: 'no_stream' });
  });
}

export interface BareReadOptions {
  databaseUrl: string;
  poolSize: number;
  /** Rows in the bare table, each about the size of a seeded post. */
  rows: number;
  title: (i: number) => string;
  body: string;
}

/**
 * A bare express app on loopback whose one route selects one row of a
 * posts-shaped table by primary key through a pg pool and answers it as
 * JSON; loaded over HTTP by the same client as the API, on random ids.
 */
export async function measureBareExpressRead(options: BareReadOptions, load: LoadOptions): Promise<LoadFigures> {
  const pool = new pg.Pool({ connectionString: options.databaseUrl, max: options.poolSize });
  const ids = Array.from({ length: options.rows }, () => randomUUID());
  await pool.query(
    `DROP TABLE IF EXISTS bench_bare_posts;
     CREATE TABLE bench_bare_posts (id text PRIMARY KEY, tenant_id text NOT NULL, author_id text NOT NULL, title text NOT NULL, body text NOT NULL,
       format text NOT NULL, visibility text NOT NULL, revision int8 NOT NULL, created_at timestamptz NOT NULL, updated_at timestamptz NOT NULL)`,
  );
  await pool.query(
    `INSERT INTO bench_bare_posts SELECT id, $2, $3, 'Post number ' || ordinality, $4, 'markdown', 'private', 1, now(), now()
       FROM unnest($1::text[]) WITH ORDINALITY AS id`,
    [ids, randomUUID(), randomUUID(), options.body],
  );
  await pool.query('VACUUM (ANALYZE) bench_bare_posts');

  const app = express();
  app.get('/posts/:id', async (req, res, next) => {
    try {
      const { rows } = await pool.query('SELECT * FROM bench_bare_posts WHERE id = $1', [req.params.id]);
      if (rows.length === 0) res.status(404).end();
      else res.json(rows[0]);
    } catch (error) {
      next(error);
    }
  });
  const server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    // From a worker thread, as the API's routes are loaded (http-load.ts).
    return (await measureHttpLoad(load, { base, method: 'GET', path: '/posts/{id}', ids, status: 200 })).figures;
  } finally {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await pool.end();
  }
}
