/**
 * Replay of the posts read model (projections/posts/posts-read-model.ts, the
 * evolve helper with its full-text column and GIN index) from a log of post
 * events, beside COPY FROM STDIN of the same rows into a table of the same
 * definition (the limit for a client), as projections-replay.ts does for the
 * event index: once into the table with its indexes, once into the table
 * without its secondary indexes then built, as the replay itself loads. Every event creates a post, so each one is a row: the read
 * model's hardest case and the one COPY compares with row for row.
 */
import type { Knex } from 'knex';
import { allMigrations } from '../../app/migrations.js';
import { postUpcasters } from '../../domain/post/index.js';
import { Upcasters } from '../../domain/shared/upcasting.js';
import { PostgresEventStore } from '../../infra/event-store/postgres/postgres-event-store.js';
import { createLogger } from '../../infra/logging/logger.js';
import { createKnex } from '../../infra/postgres/knex.js';
import { migrateToLatest } from '../../infra/postgres/migrations.js';
import { postgresLogCounter } from '../../projections/index.js';
import { timeReplayFromScratch } from '../support/timed-replay.js';
import { POSTS, SEARCH_CONFIG } from '../../projections/posts/post-row.js';
import { postsReadModel } from '../../projections/posts/posts-read-model.js';
import { timedCopyFromStdin } from '../projections-replay-copy.js';
import { BENCH_DEADLINES } from '../support/server.js';

export interface PostsReplayFigures {
  events: number;
  eventsPerSecond: number;
  /** COPY into the read model's table with its indexes: each row maintains every index (the GIN one above all). */
  copyRowsPerSecond: number;
  /** COPY into the table without its secondary indexes, then the indexes built once, as a replay loads: both timed. */
  bulkCopyRowsPerSecond: number;
  /**
   * The read model's search vector alone (its generated column's expression,
   * nothing stored), computed by one query over the same rows, parallel
   * workers allowed: what the server can spend on `to_tsvector` at best,
   * whoever writes the rows.
   */
  searchVectorRowsPerSecond: number;
}

const POST_COLUMNS = ['id', 'tenant_id', 'author_id', 'title', 'body', 'format', 'visibility', 'revision', 'created_at', 'updated_at'] as const;

/** The read model's rows as its evolve makes them from a PostCreated (timestamps from occurredAt), in log order. */
const POST_ROWS = `SELECT data->>'postId', data->>'tenantId', data->>'authorId', data->>'title', data->>'body', data->>'format', data->>'visibility',
                          stream_revision, (metadata->>'occurredAt')::timestamptz, (metadata->>'occurredAt')::timestamptz
                     FROM events WHERE event_type = 'PostCreated' ORDER BY tx_id, idx`;

export async function postsReplayBenchmark(databaseUrl: string, events: number): Promise<PostsReplayFigures> {
  const { extra: _none, replaySeconds: _seconds, ...figures } = await postsReplayPhases(databaseUrl, events, { copyReferences: true });
  return figures as PostsReplayFigures;
}

/** What a probe may add around the timed replay (bench/probes/posts-replay-probe.ts). */
export interface ReplayPhaseHooks<Extra> {
  /** Without them only the replay is measured. */
  copyReferences: boolean;
  aroundReplay?: (replay: () => Promise<number>) => Promise<number>;
  afterReplay?: () => Promise<Extra>;
}

export async function postsReplayPhases<Extra = undefined>(
  databaseUrl: string,
  events: number,
  hooks: ReplayPhaseHooks<Extra>,
): Promise<Pick<PostsReplayFigures, 'events' | 'eventsPerSecond'> & Partial<PostsReplayFigures> & { replaySeconds: number; extra: Extra | undefined }> {
  const logger = createLogger('silent');
  const knex = createKnex(databaseUrl, 10, undefined, BENCH_DEADLINES);
  const connectStore = () => PostgresEventStore.connect({ connectionString: databaseUrl, logger, poolSize: 10 });
  const projection = postsReadModel();
  const engineOptions = {
    knex,
    connectionString: databaseUrl,
    projections: [projection],
    upcasters: new Upcasters(postUpcasters),
    counter: postgresLogCounter(knex),
    logger,
    claimIntervalMs: 200,
    settings: { pollMs: 50 },
  };
  try {
    await migrateToLatest(knex, allMigrations);
    const seconds = await timeReplayFromScratch(engineOptions, connectStore, () => loadPostLog(knex, events), hooks.aroundReplay);
    const extra = await hooks.afterReplay?.();
    const built = Number((await knex(POSTS).count<{ count: string }[]>('* as count'))[0]?.count);
    if (built !== events) throw new Error(`posts replay built ${built} rows, expected ${events}`);
    const replayed = { events, eventsPerSecond: events / seconds, replaySeconds: seconds, extra };
    if (!hooks.copyReferences) return replayed;

    const copy = await timedCopyFromStdin(databaseUrl, POST_ROWS, `bench_posts_copy (${POST_COLUMNS.join(', ')})`, async () => {
      await knex.raw('DROP TABLE IF EXISTS bench_posts_copy');
      // The read model's own definition: columns, generated search column and indexes.
      await knex.transaction((trx) => projection.setup(trx, { posts: 'bench_posts_copy' }));
    });
    if (copy.rows !== events) throw new Error(`COPY loaded ${copy.rows} rows, expected ${events}`);
    const bulk = await timedCopyFromStdin(
      databaseUrl,
      POST_ROWS,
      `bench_posts_bulk (${POST_COLUMNS.join(', ')})`,
      async () => {
        await knex.raw('DROP TABLE IF EXISTS bench_posts_bulk');
        await knex.transaction((trx) => projection.setup(trx, { posts: 'bench_posts_bulk' }, { bulkLoad: true }));
      },
      () => knex.transaction((trx) => projection.completeSetup(trx, { posts: 'bench_posts_bulk' })),
    );
    if (bulk.rows !== events) throw new Error(`bulk COPY loaded ${bulk.rows} rows, expected ${events}`);
    await knex.raw('DROP TABLE bench_posts_bulk');
    const vectors = await timedSearchVectors(knex, 'bench_posts_copy');
    if (vectors.rows !== events) throw new Error(`search vectors of ${vectors.rows} rows, expected ${events}`);
    return { ...replayed, copyRowsPerSecond: copy.rows / copy.seconds, bulkCopyRowsPerSecond: bulk.rows / bulk.seconds, searchVectorRowsPerSecond: vectors.rows / vectors.seconds };
  } finally {
    await knex.destroy();
  }
}

/** The search column's expression (posts-read-model.ts) over every row of `table`, summed so that none is skipped. */
async function timedSearchVectors(knex: Knex, table: string): Promise<{ rows: number; seconds: number }> {
  const vector = `setweight(to_tsvector('${SEARCH_CONFIG}'::regconfig, title), 'A') || setweight(to_tsvector('${SEARCH_CONFIG}'::regconfig, body), 'B')`;
  const started = performance.now();
  const result = await knex.raw<{ rows: Array<{ rows: string; lexemes: string }> }>(`SELECT count(*) AS rows, sum(length(${vector})) AS lexemes FROM ${table}`);
  const seconds = (performance.now() - started) / 1000;
  return { rows: Number(result.rows[0]?.rows), seconds };
}

/**
 * Fills the event table server-side in 50,000-event transactions: PostCreated
 * at its current schema version (2), one post per stream, a third of them
 * public, bodies of about 120 bytes as in the other replay benches.
 */
async function loadPostLog(knex: Knex, events: number): Promise<void> {
  const chunk = 50_000;
  const tenantId = '00000000-0000-4000-8000-000000000001';
  for (let offset = 0; offset < events; offset += chunk) {
    const size = Math.min(chunk, events - offset);
    await knex.raw(
      `INSERT INTO events (stream_id, stream_revision, idx, event_id, event_type, data, metadata)
       SELECT 'post-' || p.id, 0, p.g, p.event_id, 'PostCreated',
              jsonb_build_object('postId', p.id, 'tenantId', ?::text, 'authorId', p.author, 'title', 'Post number ' || (? + p.g),
                                 'body', repeat('Lorem ipsum dolor sit amet. ', 4), 'format', 'plain',
                                 'visibility', CASE WHEN p.g % 3 = 0 THEN 'public' ELSE 'private' END),
              jsonb_build_object('eventId', p.event_id, 'correlationId', p.event_id, 'causationId', p.event_id,
                                 'actor', jsonb_build_object('type', 'user', 'id', p.author), 'tenantId', ?::text, 'requestId', gen_random_uuid(),
                                 'occurredAt', to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), 'schemaVersion', 2)
         FROM (SELECT g, gen_random_uuid()::text AS id, gen_random_uuid() AS event_id, 'user-' || (g % 100) AS author
                 FROM generate_series(0, ? - 1) AS g) AS p`,
      [tenantId, offset, tenantId, size],
    );
  }
  await knex.raw('VACUUM (ANALYZE) events');
}

