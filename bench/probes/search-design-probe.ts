/**
 * The posts table's search vector, two designs, loaded as a replay loads
 * (COPY FROM STDIN of the rows into a table without its secondary indexes,
 * then the indexes built), each timed with the server's CPU:
 *   stored:     `search tsvector GENERATED ALWAYS AS (...) STORED`, computed row by row in the COPY, GIN on the column;
 *   expression: nothing stored, GIN on the same expression, built after the load (parallel workers allowed).
 *
 *   npx tsx bench/probes/search-design-probe.ts --rows=200000
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { createLogger } from '../../infra/logging/logger.js';
import { startEmbeddedPostgres } from '../../infra/postgres/embedded-postgres.js';
import { timedCopyFromStdin } from '../projections-replay-copy.js';

const argument = (name: string) => process.argv.find((arg) => arg.startsWith(`--${name}=`))?.slice(name.length + 3);
const rows = Number(argument('rows') ?? 200_000);
const memory = argument('maintenance-work-mem');
const port = 55_000 + Math.floor(Math.random() * 5_000);

const COLUMNS = `id text primary key, tenant_id text not null, author_id text not null, title text not null, body text not null, format text not null,
  visibility text not null, revision int8 not null, created_at timestamptz not null, updated_at timestamptz not null`;
const VECTOR = `setweight(to_tsvector('english'::regconfig, title), 'A') || setweight(to_tsvector('english'::regconfig, body), 'B')`;
const LIST_INDEXES = ['(created_at DESC, id DESC)', '(author_id, created_at DESC, id DESC)', "(created_at DESC, id DESC) WHERE visibility = 'public'"];

const dataDir = await mkdtemp(path.join(tmpdir(), 'chronicle-search-probe-'));
const server = await startEmbeddedPostgres({
  dataDir,
  port,
  logger: createLogger('silent'),
  settings: { fsync: 'on', synchronous_commit: 'on', shared_buffers: '1GB', max_wal_size: '8GB', checkpoint_timeout: '30min' },
});
const client = new pg.Client(server.url);
await client.connect();
try {
  await client.query(`CREATE TABLE source (${COLUMNS})`);
  await client.query(
    `INSERT INTO source SELECT gen_random_uuid()::text, 't1', 'user-' || (g % 100), 'Post number ' || g, repeat('Lorem ipsum dolor sit amet. ', 4), 'plain',
            CASE WHEN g % 3 = 0 THEN 'public' ELSE 'private' END, 0, now(), now() FROM generate_series(1, $1) AS g`,
    [rows],
  );
  const select = 'SELECT id, tenant_id, author_id, title, body, format, visibility, revision, created_at, updated_at FROM source';
  const designs: Record<string, { create: string; indexes: string[] }> = {
    stored: { create: `${COLUMNS}, search tsvector GENERATED ALWAYS AS (${VECTOR}) STORED`, indexes: ['USING gin (search)', ...LIST_INDEXES] },
    expression: { create: COLUMNS, indexes: [`USING gin ((${VECTOR}))`, ...LIST_INDEXES] },
  };
  const figures: Record<string, unknown> = {};
  for (const round of [1, 2]) {
    for (const [name, design] of Object.entries(designs)) {
      const table = `t_${name}`;
      const steps: number[] = [];
      const copied = await timedCopyFromStdin(
        server.url,
        select,
        table,
        async (c) => void (await c.query(`DROP TABLE IF EXISTS ${table}; CREATE TABLE ${table} (${design.create})`)),
        async () => {
          const indexer = new pg.Client(server.url);
          await indexer.connect();
          try {
            if (memory) await indexer.query(`SET maintenance_work_mem = '${memory}'`);
            for (const [i, index] of design.indexes.entries()) {
              const started = performance.now();
              await indexer.query(`CREATE INDEX ${table}_i${i} ON ${table} ${index}`);
              steps.push(Number(((performance.now() - started) / 1000).toFixed(2)));
            }
          } finally {
            await indexer.end();
          }
        },
      );
      const size = (await client.query(`SELECT pg_total_relation_size('${table}') AS bytes`)).rows[0].bytes;
      figures[`${name}#${round}`] = { rowsPerSecond: Math.round(copied.rows / copied.seconds), seconds: Number(copied.seconds.toFixed(2)), indexSeconds: steps, megabytes: Math.round(Number(size) / 1e6) };
    }
  }
  console.log(JSON.stringify({ rows, load: loadavg().map((value) => Number(value.toFixed(2))), figures }, null, 2));
} finally {
  await client.end();
  await server.stop();
  await rm(dataDir, { recursive: true, force: true });
}
