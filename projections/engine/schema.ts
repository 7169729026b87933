import type { Knex } from 'knex';
import type { Migration } from '../../infra/postgres/migrations.js';

/** The engine's own bookkeeping; the read models' tables are created by their projections' setup. */
export const projectionMigrations: Migration[] = [
  {
    name: '0100_projections',
    async up(knex: Knex) {
      // Positions are numeric(40,0): bigints of any adapter, never narrowed.
      // lock_key names the session advisory lock that makes one worker the owner;
      // fence is bumped by every new owner and by every swap, and every commit
      // checks it, so a worker that lost ownership cannot commit a batch.
      await knex.raw(`
        CREATE TABLE projections (
          name text PRIMARY KEY,
          lock_key integer GENERATED ALWAYS AS IDENTITY UNIQUE,
          version integer NOT NULL,
          generation integer NOT NULL DEFAULT 0,
          position numeric(40,0),
          fence bigint NOT NULL DEFAULT 0,
          state text NOT NULL DEFAULT 'running' CHECK (state IN ('running', 'failed')),
          events_processed bigint NOT NULL DEFAULT 0,
          events_per_second double precision NOT NULL DEFAULT 0,
          error_position numeric(40,0),
          error_message text,
          error_at timestamptz,
          owner text,
          updated_at timestamptz NOT NULL DEFAULT now()
        );
        CREATE TABLE projection_replays (
          id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
          projection text NOT NULL,
          version integer NOT NULL,
          generation integer NOT NULL,
          state text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'running', 'completed', 'failed', 'cancelled')),
          position numeric(40,0),
          fence bigint NOT NULL DEFAULT 0,
          tables_ready boolean NOT NULL DEFAULT false,
          processed bigint NOT NULL DEFAULT 0,
          total bigint,
          events_per_second double precision NOT NULL DEFAULT 0,
          error_position numeric(40,0),
          error_message text,
          requested_by text NOT NULL,
          created_at timestamptz NOT NULL DEFAULT now(),
          started_at timestamptz,
          updated_at timestamptz NOT NULL DEFAULT now(),
          finished_at timestamptz
        );
        CREATE UNIQUE INDEX projection_replays_one_active ON projection_replays (projection) WHERE state IN ('pending', 'running');
        CREATE INDEX projection_replays_by_projection ON projection_replays (projection, id DESC);
        CREATE TABLE projection_skips (
          id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
          projection text NOT NULL,
          position numeric(40,0) NOT NULL,
          event_id uuid,
          event_type text,
          stream text,
          error_message text,
          reason text NOT NULL,
          skipped_by text NOT NULL,
          skipped_at timestamptz NOT NULL DEFAULT now(),
          UNIQUE (projection, position)
        );
      `);
    },
    async down(knex: Knex) {
      await knex.raw('DROP TABLE IF EXISTS projection_skips, projection_replays, projections');
    },
  },
];
