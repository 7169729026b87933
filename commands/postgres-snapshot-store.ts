import type { Knex } from 'knex';
import type { Migration } from '../infra/postgres/migrations.js';
import type { SnapshotStore, StoredSnapshot } from './snapshots.js';

const TABLE = 'aggregate_snapshots';

interface SnapshotRow {
  stream: string;
  aggregate: string;
  version: number;
  revision: string;
  position: string | null;
  state: unknown;
}

/**
 * Snapshots in PostgreSQL, beside the read models, whichever store holds the
 * log. Not a read model (nothing subscribes to build it) and not state of
 * its own: the command side writes a fold it has just computed, and may drop
 * the whole table at any time.
 */
export class PostgresSnapshotStore implements SnapshotStore {
  constructor(private readonly knex: Knex) {}

  async load(stream: string): Promise<StoredSnapshot | undefined> {
    const row = await this.knex<SnapshotRow>(TABLE).where({ stream }).first();
    if (!row) return undefined;
    return {
      aggregate: row.aggregate,
      version: row.version,
      revision: BigInt(row.revision),
      position: row.position === null ? undefined : BigInt(row.position),
      state: row.state,
    };
  }

  async save(stream: string, snapshot: StoredSnapshot): Promise<void> {
    // Concurrent writers of one stream race here; the later revision (or a new version) wins.
    await this.knex.raw(
      `INSERT INTO ${TABLE} AS s (stream, aggregate, version, revision, position, state, saved_at)
       VALUES (?, ?, ?, ?, ?, ?::jsonb, now())
       ON CONFLICT (stream) DO UPDATE SET
         aggregate = EXCLUDED.aggregate, version = EXCLUDED.version, revision = EXCLUDED.revision,
         position = EXCLUDED.position, state = EXCLUDED.state, saved_at = EXCLUDED.saved_at
       WHERE s.version <> EXCLUDED.version OR s.revision < EXCLUDED.revision`,
      [
        stream,
        snapshot.aggregate,
        snapshot.version,
        String(snapshot.revision),
        snapshot.position === undefined ? null : String(snapshot.position),
        JSON.stringify(snapshot.state),
      ],
    );
  }
}

export const snapshotMigrations: Migration[] = [
  {
    name: '0300_aggregate_snapshots',
    async up(knex: Knex) {
      await knex.raw(`
        CREATE TABLE ${TABLE} (
          stream text PRIMARY KEY,
          aggregate text NOT NULL,
          version integer NOT NULL,
          revision bigint NOT NULL,
          position numeric(40,0),
          state jsonb NOT NULL,
          saved_at timestamptz NOT NULL
        )`);
    },
    async down(knex: Knex) {
      await knex.raw(`DROP TABLE IF EXISTS ${TABLE}`);
    },
  },
];
