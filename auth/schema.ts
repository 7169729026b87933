import type { Knex } from 'knex';
import type { Migration } from '../infra/postgres/migrations.js';
import { USER_CATEGORY } from '../domain/user/streams.js';
import { AUTHENTICATION_CHANNEL } from './cache/authentication-cache-listener.js';

/** Table the rate limiters share; rate-limiter-flexible's own layout, created here so no limiter runs DDL. */
export const RATE_LIMIT_TABLE = 'auth_rate_limits';

/**
 * Command-side state of identity that must not be in the event log: secrets
 * and their verifiers (password hashes, refresh and API key hashes, signing
 * keys), and short-lived counters. None of it is a read model, so none of it
 * is rebuilt from events; each table says what writes it.
 */
export const authMigrations: Migration[] = [
  {
    name: '0200_auth',
    async up(knex: Knex) {
      await knex.raw(`
        -- Generated on first start (auth/tokens/key-store.ts); one active key per use.
        CREATE TABLE auth_signing_keys (
          kid text PRIMARY KEY,
          use text NOT NULL CHECK (use IN ('sig', 'enc')),
          alg text NOT NULL,
          public_jwk jsonb NOT NULL,
          private_jwk jsonb NOT NULL,
          active boolean NOT NULL DEFAULT true,
          created_at timestamptz NOT NULL DEFAULT now()
        );
        CREATE UNIQUE INDEX auth_signing_keys_active_idx ON auth_signing_keys (use) WHERE active;

        CREATE TABLE auth_credentials (
          user_id text PRIMARY KEY,
          password_hash text NOT NULL,
          updated_at timestamptz NOT NULL
        );

        -- A session is one refresh token family.
        CREATE TABLE auth_sessions (
          id text PRIMARY KEY,
          user_id text NOT NULL,
          tenant_id text NOT NULL,
          created_at timestamptz NOT NULL,
          last_used_at timestamptz NOT NULL,
          expires_at timestamptz NOT NULL,
          revoked_at timestamptz,
          revoked_reason text,
          user_agent text,
          ip text
        );
        CREATE INDEX auth_sessions_user_idx ON auth_sessions (user_id, created_at);

        CREATE TABLE auth_refresh_tokens (
          token_hash text PRIMARY KEY,
          session_id text NOT NULL REFERENCES auth_sessions (id) ON DELETE CASCADE,
          issued_at timestamptz NOT NULL,
          rotated_at timestamptz,
          -- The successor, encrypted under a key derived from this token: only its holder can read it back during the grace.
          successor_sealed text
        );
        CREATE UNIQUE INDEX auth_refresh_tokens_current_idx ON auth_refresh_tokens (session_id) WHERE rotated_at IS NULL;

        CREATE TABLE auth_api_keys (
          id text PRIMARY KEY,
          tenant_id text NOT NULL,
          name text NOT NULL,
          display_prefix text NOT NULL,
          key_hash text NOT NULL UNIQUE,
          rate_limit_per_minute integer NOT NULL,
          created_by text NOT NULL,
          created_at timestamptz NOT NULL,
          revoked_at timestamptz
        );
        CREATE INDEX auth_api_keys_tenant_idx ON auth_api_keys (tenant_id, created_at);

        CREATE TABLE ${RATE_LIMIT_TABLE} (
          key varchar(255) PRIMARY KEY,
          points integer NOT NULL DEFAULT 0,
          expire bigint
        );

        -- An OIDC login between the redirect and the callback; used once.
        CREATE TABLE auth_oidc_logins (
          state text PRIMARY KEY,
          provider text NOT NULL,
          code_verifier text NOT NULL,
          nonce text NOT NULL,
          return_to text,
          expires_at timestamptz NOT NULL
        );
      `);
    },
    async down(knex: Knex) {
      await knex.raw(`
        DROP TABLE IF EXISTS auth_oidc_logins, ${RATE_LIMIT_TABLE}, auth_api_keys, auth_refresh_tokens,
          auth_sessions, auth_credentials, auth_signing_keys`);
    },
  },
  {
    name: '0210_auth_email_tokens',
    async up(knex: Knex) {
      await knex.raw(`
        -- One-time links sent by mail (auth/email-tokens): only the token's SHA-256 is kept; used tokens are deleted.
        CREATE TABLE auth_email_tokens (
          token_hash text PRIMARY KEY,
          purpose text NOT NULL CHECK (purpose IN ('verify_email', 'password_reset')),
          user_id text NOT NULL,
          email text NOT NULL,
          created_at timestamptz NOT NULL,
          expires_at timestamptz NOT NULL
        );
        CREATE INDEX auth_email_tokens_user_idx ON auth_email_tokens (user_id, purpose);

        -- The SHA-256 of a random value kept in the browser's __Host- cookie: the callback must come from the browser that started the login.
        ALTER TABLE auth_oidc_logins ADD COLUMN browser_binding_hash text NOT NULL DEFAULT '';
      `);
    },
    async down(knex: Knex) {
      await knex.raw(`
        ALTER TABLE auth_oidc_logins DROP COLUMN IF EXISTS browser_binding_hash;
        DROP TABLE IF EXISTS auth_email_tokens;
      `);
    },
  },
  {
    name: '0220_auth_housekeeping',
    async up(knex: Knex) {
      await knex.raw(`
        -- What the housekeeping sweep (auth/housekeeping) looks for, found without reading whole tables.
        CREATE INDEX auth_sessions_expires_idx ON auth_sessions (expires_at);
        CREATE INDEX auth_sessions_ended_idx ON auth_sessions (revoked_at) WHERE revoked_at IS NOT NULL;
        CREATE INDEX auth_refresh_tokens_rotated_idx ON auth_refresh_tokens (rotated_at) WHERE rotated_at IS NOT NULL;
        -- Deleting a session deletes its tokens (ON DELETE CASCADE): found by session, rotated ones included.
        CREATE INDEX auth_refresh_tokens_session_idx ON auth_refresh_tokens (session_id);
        CREATE INDEX auth_oidc_logins_expires_idx ON auth_oidc_logins (expires_at);
        CREATE INDEX auth_email_tokens_expires_idx ON auth_email_tokens (expires_at);
        CREATE INDEX ${RATE_LIMIT_TABLE}_expire_idx ON ${RATE_LIMIT_TABLE} (expire);
      `);
    },
    async down(knex: Knex) {
      await knex.raw(`
        DROP INDEX IF EXISTS auth_sessions_expires_idx, auth_sessions_ended_idx, auth_refresh_tokens_rotated_idx,
          auth_refresh_tokens_session_idx, auth_oidc_logins_expires_idx, auth_email_tokens_expires_idx, ${RATE_LIMIT_TABLE}_expire_idx;
      `);
    },
  },
  {
    name: '0230_auth_api_key_scopes',
    async up(knex: Knex) {
      await knex.raw(`
        -- What each key may do (domain/tenant/api-key-scopes.ts). Keys issued before scopes existed keep every
        -- scope, as their ApiKeyIssued events read (upcast); new rows must say theirs, hence no default left behind.
        ALTER TABLE auth_api_keys ADD COLUMN scopes text[] NOT NULL DEFAULT '{ingest,read,admin}'
          CHECK (cardinality(scopes) > 0 AND scopes <@ '{ingest,read,admin}'::text[]);
        ALTER TABLE auth_api_keys ALTER COLUMN scopes DROP DEFAULT;
      `);
    },
    async down(knex: Knex) {
      await knex.raw('ALTER TABLE auth_api_keys DROP COLUMN IF EXISTS scopes');
    },
  },
  {
    name: '0240_auth_cache_invalidations',
    async up(knex: Knex) {
      // What the API processes' authentication caches (auth/cache) must hear of, from whichever process or
      // tool commits it: NOTIFY is part of the transaction, so it is sent exactly when the change commits.
      await knex.raw(`
        -- A session that was open and no longer is, or whose lifetime changed.
        CREATE FUNCTION ${AUTH_CACHE_NOTIFY_SESSION}() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          PERFORM pg_notify('${AUTHENTICATION_CHANNEL}', 'session ' || OLD.id);
          RETURN NULL;
        END $$;
        CREATE TRIGGER auth_sessions_changed AFTER UPDATE ON auth_sessions FOR EACH ROW
          WHEN (OLD.revoked_at IS DISTINCT FROM NEW.revoked_at OR OLD.expires_at IS DISTINCT FROM NEW.expires_at OR OLD.id IS DISTINCT FROM NEW.id)
          EXECUTE FUNCTION ${AUTH_CACHE_NOTIFY_SESSION}();
        -- The sweep deletes ended and expired sessions, which no cache keeps: only a live one's deletion is news.
        CREATE TRIGGER auth_sessions_deleted AFTER DELETE ON auth_sessions FOR EACH ROW
          WHEN (OLD.revoked_at IS NULL)
          EXECUTE FUNCTION ${AUTH_CACHE_NOTIFY_SESSION}();

        -- A user's stream appended to (roles, disabling, ...): the payload is the stream id. The WHEN keeps
        -- every other append free of it; several events of one append make one notification.
        CREATE FUNCTION ${AUTH_CACHE_NOTIFY_USER}() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          PERFORM pg_notify('${AUTHENTICATION_CHANNEL}', NEW.stream_id);
          RETURN NULL;
        END $$;
        CREATE TRIGGER events_user_appended AFTER INSERT ON events FOR EACH ROW
          WHEN (starts_with(NEW.stream_id, '${USER_CATEGORY}-'))
          EXECUTE FUNCTION ${AUTH_CACHE_NOTIFY_USER}();
      `);
    },
    async down(knex: Knex) {
      await knex.raw(`
        DROP TRIGGER IF EXISTS events_user_appended ON events;
        DROP TRIGGER IF EXISTS auth_sessions_deleted ON auth_sessions;
        DROP TRIGGER IF EXISTS auth_sessions_changed ON auth_sessions;
        DROP FUNCTION IF EXISTS ${AUTH_CACHE_NOTIFY_USER}(), ${AUTH_CACHE_NOTIFY_SESSION}();
      `);
    },
  },
];

const AUTH_CACHE_NOTIFY_SESSION = 'chronicle_auth_session_changed';
const AUTH_CACHE_NOTIFY_USER = 'chronicle_auth_user_appended';
