import type { Knex } from 'knex';
import type { Migration } from '../../postgres/migrations.js';
import { sealChainDropMigration, sealChainMigration, sealLeafColumnMigration } from './seal-leaves.js';

/** Identifies appenders in pg_locks; see horizon.ts for why. */
export const APPEND_LOCK = { classId: 7316, objId: 1 } as const;

export const eventStoreMigrations: Migration[] = [
  {
    name: '0001_event_store',
    async up(knex: Knex) {
      // Global order is (tx_id, idx): the appending transaction's id, then the
      // event's place in that append. Readers only read below the horizon of
      // in-flight appends, so a late commit can never land behind a reader.
      // Payloads are json, not jsonb: kept as written, checked but not
      // converted on the way in, copied rather than re-serialised on the way
      // out. Nothing queries inside them here; read models do.
      await knex.raw(`
        CREATE TABLE events (
          tx_id xid8 NOT NULL DEFAULT pg_current_xact_id(),
          idx integer NOT NULL,
          stream_id text NOT NULL,
          stream_revision bigint NOT NULL,
          event_id uuid NOT NULL,
          event_type text NOT NULL,
          data json NOT NULL,
          metadata json NOT NULL,
          recorded_at timestamptz NOT NULL DEFAULT now(),
          CONSTRAINT events_stream_revision_pk PRIMARY KEY (stream_id, stream_revision)
        );
        CREATE UNIQUE INDEX events_position_idx ON events (tx_id, idx);
        CREATE UNIQUE INDEX events_event_id_idx ON events (event_id);
      `);
    },
    async down(knex: Knex) {
      await knex.raw('DROP TABLE IF EXISTS events');
    },
  },
  sealChainMigration,
  sealChainDropMigration,
  sealLeafColumnMigration,
];
