import type { Knex } from 'knex';
import { tenantEventSchema, type TenantEvent } from '../../domain/tenant/events.js';
import { TENANT_CATEGORY } from '../../domain/tenant/streams.js';
import { userEventSchema, type UserEventType } from '../../domain/user/events.js';
import { USER_CATEGORY } from '../../domain/user/streams.js';
import type { RecordedEvent } from '../../infra/event-store/event-store.js';
import type { Projection, ProjectionTables } from '../projection.js';
import {
  evolveInvitationRow,
  evolveUserRow,
  invitationIdOf,
  type DirectoryInvitationRow,
  type DirectoryUserRow,
  type EventPlace,
} from './directory-rows.js';

export const TENANT_DIRECTORY = 'tenant_directory';
export const DIRECTORY_USERS = 'directory_users';
export const DIRECTORY_INVITATIONS = 'directory_invitations';
type Table = typeof DIRECTORY_USERS | typeof DIRECTORY_INVITATIONS;

const USER_TYPES: readonly UserEventType[] = ['UserSignedUp', 'UserRoleGranted', 'UserRoleRevoked', 'UserEmailVerified', 'UserDisabled', 'UserEnabled'];
const TENANT_TYPES: readonly TenantEvent['type'][] = ['TenantInvitationIssued', 'TenantInvitationAccepted', 'TenantInvitationRevoked'];

/**
 * What a tenant's admins list: its members (with roles, disabled or not)
 * and its invitations. Logins, which are most of a user stream, never reach
 * it (the store filters by type). Rows are evolved in memory per batch from
 * the rows the batch touches, then written with one statement per table.
 */
export function tenantDirectoryProjection(): Projection<Table> {
  return {
    name: TENANT_DIRECTORY,
    version: 1,
    filter: { streamPrefixes: [`${USER_CATEGORY}-`, `${TENANT_CATEGORY}-`], eventTypes: [...USER_TYPES, ...TENANT_TYPES] },
    tables: [DIRECTORY_USERS, DIRECTORY_INVITATIONS],
    async setup(trx, tables) {
      await trx.raw(`
        CREATE TABLE "${tables[DIRECTORY_USERS]}" (
          user_id text PRIMARY KEY,
          tenant_id text NOT NULL,
          email text NOT NULL,
          display_name text NOT NULL,
          roles jsonb NOT NULL,
          disabled boolean NOT NULL,
          email_verified boolean NOT NULL,
          joined_at timestamptz NOT NULL,
          joined_position numeric(40,0) NOT NULL
        );
        CREATE INDEX "${tables[DIRECTORY_USERS]}_tenant_idx" ON "${tables[DIRECTORY_USERS]}" (tenant_id, joined_position);
        CREATE TABLE "${tables[DIRECTORY_INVITATIONS]}" (
          invitation_id text PRIMARY KEY,
          tenant_id text NOT NULL,
          email text NOT NULL,
          role text NOT NULL,
          invited_by text NOT NULL,
          expires_at timestamptz NOT NULL,
          issued_at timestamptz NOT NULL,
          issued_position numeric(40,0) NOT NULL,
          accepted_by text,
          revoked boolean NOT NULL
        );
        CREATE INDEX "${tables[DIRECTORY_INVITATIONS]}_tenant_idx" ON "${tables[DIRECTORY_INVITATIONS]}" (tenant_id, issued_position);`);
    },
    async apply(events, trx, tables) {
      const users = await evolveUsers(trx, tables, events.filter((event) => event.stream.startsWith(`${USER_CATEGORY}-`)));
      const invitations = await evolveInvitations(trx, tables, events.filter((event) => event.stream.startsWith(`${TENANT_CATEGORY}-`)));
      await upsert(trx, tables[DIRECTORY_USERS], 'user_id', USER_COLUMNS, users);
      await upsert(trx, tables[DIRECTORY_INVITATIONS], 'invitation_id', INVITATION_COLUMNS, invitations);
    },
  };
}

const USER_COLUMNS = {
  user_id: 'text', tenant_id: 'text', email: 'text', display_name: 'text', roles: 'jsonb', disabled: 'boolean',
  email_verified: 'boolean', joined_at: 'timestamptz', joined_position: 'numeric',
} satisfies Record<keyof DirectoryUserRow, string>;

const INVITATION_COLUMNS = {
  invitation_id: 'text', tenant_id: 'text', email: 'text', role: 'text', invited_by: 'text', expires_at: 'timestamptz',
  issued_at: 'timestamptz', issued_position: 'numeric', accepted_by: 'text', revoked: 'boolean',
} satisfies Record<keyof DirectoryInvitationRow, string>;

function placeOf(event: RecordedEvent): EventPlace {
  return { position: String(event.position), recordedAt: event.recordedAt.toISOString(), streamTenantId: event.stream.slice(TENANT_CATEGORY.length + 1) };
}

async function evolveUsers(trx: Knex.Transaction, tables: ProjectionTables<Table>, events: readonly RecordedEvent[]): Promise<DirectoryUserRow[]> {
  const parsed = events.map((event) => ({ event: userEventSchema.parse({ type: event.type, data: event.data }), place: placeOf(event) }));
  const rows = await existing<DirectoryUserRow>(trx, tables[DIRECTORY_USERS], 'user_id', parsed.map(({ event }) => event.data.userId));
  for (const { event, place } of parsed) {
    const row = evolveUserRow(rows.get(event.data.userId) ?? null, event, place);
    if (row) rows.set(event.data.userId, row);
  }
  return [...rows.values()];
}

async function evolveInvitations(trx: Knex.Transaction, tables: ProjectionTables<Table>, events: readonly RecordedEvent[]): Promise<DirectoryInvitationRow[]> {
  const parsed = events.map((event) => ({ event: tenantEventSchema.parse({ type: event.type, data: event.data }), place: placeOf(event) }));
  const ids = parsed.map(({ event }) => invitationIdOf(event)).filter((id): id is string => id !== undefined);
  const rows = await existing<DirectoryInvitationRow>(trx, tables[DIRECTORY_INVITATIONS], 'invitation_id', ids);
  for (const { event, place } of parsed) {
    const id = invitationIdOf(event);
    if (id === undefined) continue;
    const row = evolveInvitationRow(rows.get(id) ?? null, event, place);
    if (row) rows.set(id, row);
  }
  return [...rows.values()];
}

async function existing<Row>(trx: Knex.Transaction, table: string, key: keyof Row & string, ids: readonly string[]): Promise<Map<string, Row>> {
  if (ids.length === 0) return new Map();
  const found = await trx.raw<{ rows: Record<string, unknown>[] }>(`SELECT * FROM "${table}" WHERE ${key} = ANY(?)`, [[...new Set(ids)]]);
  return new Map(found.rows.map((row) => [String(row[key]), fromDatabase(row) as Row]));
}

/** Back to the shapes evolve works on: timestamps and positions as strings. */
function fromDatabase(row: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(row).map(([name, value]) => [name, value instanceof Date ? value.toISOString() : value]));
}

async function upsert(trx: Knex.Transaction, table: string, key: string, columns: Record<string, string>, rows: readonly object[]): Promise<void> {
  if (rows.length === 0) return;
  const names = Object.keys(columns);
  const definitions = Object.entries(columns).map(([name, type]) => `${name} ${type}`).join(', ');
  const updates = names.filter((name) => name !== key).map((name) => `${name} = EXCLUDED.${name}`).join(', ');
  // One statement per table and batch; the rows travel as one JSON parameter.
  await trx.raw(
    `INSERT INTO "${table}" (${names.join(', ')}) SELECT ${names.join(', ')} FROM jsonb_to_recordset(?::jsonb) AS r(${definitions})
     ON CONFLICT (${key}) DO UPDATE SET ${updates}`,
    [JSON.stringify(rows)],
  );
}
