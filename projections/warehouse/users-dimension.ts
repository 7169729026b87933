import { isDeepStrictEqual } from 'node:util';
import type { Knex } from 'knex';
import type { JsonObject } from '../../infra/event-store/event-store.js';
import { quoteTable } from '../engine/table-names.js';

/** New traits for a user, from an identify call or a signup, in log order. */
export interface TraitsChange {
  readonly tenantId: string;
  readonly userId: string;
  readonly traits: JsonObject;
  readonly at: Date;
  readonly position: bigint;
}

interface UserVersion {
  tenant_id: string;
  user_id: string;
  version: number;
  traits: JsonObject;
  valid_from: string;
  valid_to: string | null;
}

/**
 * The users dimension keeps traits over time (a type 2 slowly changing
 * dimension): each change that alters a user's traits closes the current
 * version (valid_to) and opens the next one, whose traits are the old ones
 * with the new ones merged over them (identify sends what changed). A change
 * that alters nothing adds no version. Versions follow the log: one that
 * claims an earlier time than the current version starts when that one
 * does, so versions never overlap. Two statements a batch: the current
 * versions of the users it touches, then every row it changes.
 */
export async function applyTraitsChanges(trx: Knex.Transaction, users: string, changes: readonly TraitsChange[]): Promise<void> {
  if (changes.length === 0) return;
  const ordered = [...changes].sort((a, b) => (a.position < b.position ? -1 : a.position > b.position ? 1 : 0));
  const current = await loadCurrentVersions(trx, users, ordered);
  const written = new Map<string, UserVersion>();
  for (const change of ordered) {
    const key = userKey(change.tenantId, change.userId);
    const before = current.get(key);
    const traits = before ? { ...before.traits, ...change.traits } : change.traits;
    if (before && isDeepStrictEqual(traits, before.traits)) continue;
    const at = change.at.toISOString();
    const validFrom = before && Date.parse(before.valid_from) > change.at.getTime() ? before.valid_from : at;
    if (before) {
      const closed = { ...before, valid_to: validFrom };
      written.set(versionKey(closed), closed);
    }
    const next: UserVersion = { tenant_id: change.tenantId, user_id: change.userId, version: before ? before.version + 1 : 1, traits, valid_from: validFrom, valid_to: null };
    current.set(key, next);
    written.set(versionKey(next), next);
  }
  if (written.size === 0) return;
  await trx.raw(
    `INSERT INTO ${quoteTable(users)} AS u (tenant_id, user_id, version, traits, valid_from, valid_to)
     SELECT tenant_id, user_id, version, traits, valid_from, valid_to
       FROM jsonb_to_recordset(?::jsonb) AS r(tenant_id uuid, user_id text, version integer, traits jsonb, valid_from timestamptz, valid_to timestamptz)
     ON CONFLICT (tenant_id, user_id, version) DO UPDATE SET valid_to = EXCLUDED.valid_to`,
    [JSON.stringify([...written.values()])],
  );
}

async function loadCurrentVersions(trx: Knex.Transaction, users: string, changes: readonly TraitsChange[]): Promise<Map<string, UserVersion>> {
  const keys = new Map(changes.map((change) => [userKey(change.tenantId, change.userId), change]));
  const { rows } = await trx.raw<{ rows: Array<Omit<UserVersion, 'valid_from'> & { valid_from: Date }> }>(
    `SELECT u.tenant_id, u.user_id, u.version, u.traits, u.valid_from, u.valid_to
       FROM ${quoteTable(users)} u JOIN unnest(?::uuid[], ?::text[]) AS k(tenant_id, user_id) USING (tenant_id, user_id)
      WHERE u.valid_to IS NULL`,
    [[...keys.values()].map((change) => change.tenantId), [...keys.values()].map((change) => change.userId)],
  );
  return new Map(rows.map((row) => [userKey(row.tenant_id, row.user_id), { ...row, valid_from: row.valid_from.toISOString() }]));
}

function userKey(tenantId: string, userId: string): string {
  return `${tenantId}\n${userId}`;
}

function versionKey(version: UserVersion): string {
  return `${userKey(version.tenant_id, version.user_id)}\n${version.version}`;
}
