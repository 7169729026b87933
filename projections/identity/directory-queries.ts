import type { Knex } from 'knex';
import type { Role, TenantRole } from '../../domain/user/roles.js';
import { ReadModelUnavailableError } from '../engine/errors.js';
import { DIRECTORY_INVITATIONS, DIRECTORY_USERS, TENANT_DIRECTORY } from './tenant-directory.js';

export interface Page<Item> {
  items: Item[];
  /** Pass back as `cursor` for the next page; null on the last page. */
  nextCursor: string | null;
}

export interface PageRequest {
  limit: number;
  /** The position the previous page ended at, from its cursor (see decodeCursor). */
  after?: string;
}

export interface TenantMember {
  id: string;
  email: string;
  displayName: string;
  roles: Role[];
  disabled: boolean;
  emailVerified: boolean;
  joinedAt: Date;
}

export type InvitationStatus = 'pending' | 'accepted' | 'revoked' | 'expired';

export interface TenantInvitation {
  invitationId: string;
  email: string;
  role: TenantRole;
  invitedBy: string;
  status: InvitationStatus;
  acceptedBy: string | null;
  issuedAt: Date;
  expiresAt: Date;
}

/** Cursors are opaque to clients: a log position, base64url-encoded so nobody is tempted to do arithmetic on it. */
export function encodeCursor(position: string): string {
  return Buffer.from(position, 'utf8').toString('base64url');
}

/** The position inside a cursor, or undefined when it is not one of ours. */
export function decodeCursor(cursor: string): string | undefined {
  const position = Buffer.from(cursor, 'base64url').toString('utf8');
  return /^\d{1,40}$/.test(position) && encodeCursor(position) === cursor ? position : undefined;
}

/** A tenant's members in the order they joined. */
export async function listTenantMembers(knex: Knex, tenantId: string, page: PageRequest): Promise<Page<TenantMember>> {
  const query = knex(DIRECTORY_USERS).where({ tenant_id: tenantId }).orderBy('joined_position').limit(page.limit + 1);
  if (page.after !== undefined) query.andWhere('joined_position', '>', page.after);
  const rows: Array<{ user_id: string; email: string; display_name: string; roles: Role[]; disabled: boolean; email_verified: boolean; joined_at: Date; joined_position: string }> =
    await query.catch(unavailable);
  return paged(rows, page.limit, (row) => row.joined_position, (row) => ({
    id: row.user_id,
    email: row.email,
    displayName: row.display_name,
    roles: row.roles,
    disabled: row.disabled,
    emailVerified: row.email_verified,
    joinedAt: row.joined_at,
  }));
}

/** A tenant's invitations, newest first; `status` narrows to one state as of `now`. */
export async function listTenantInvitations(knex: Knex, tenantId: string, page: PageRequest & { status?: InvitationStatus; now: Date }): Promise<Page<TenantInvitation>> {
  const query = knex(DIRECTORY_INVITATIONS).where({ tenant_id: tenantId }).orderBy('issued_position', 'desc').limit(page.limit + 1);
  if (page.after !== undefined) query.andWhere('issued_position', '<', page.after);
  if (page.status === 'accepted') query.whereNotNull('accepted_by');
  if (page.status === 'revoked') query.whereNull('accepted_by').andWhere({ revoked: true });
  if (page.status === 'expired') query.whereNull('accepted_by').andWhere({ revoked: false }).andWhere('expires_at', '<=', page.now);
  if (page.status === 'pending') query.whereNull('accepted_by').andWhere({ revoked: false }).andWhere('expires_at', '>', page.now);
  const rows: Array<{ invitation_id: string; email: string; role: TenantRole; invited_by: string; expires_at: Date; issued_at: Date; issued_position: string; accepted_by: string | null; revoked: boolean }> =
    await query.catch(unavailable);
  return paged(rows, page.limit, (row) => row.issued_position, (row) => ({
    invitationId: row.invitation_id,
    email: row.email,
    role: row.role,
    invitedBy: row.invited_by,
    status: row.accepted_by !== null ? 'accepted' : row.revoked ? 'revoked' : row.expires_at <= page.now ? 'expired' : 'pending',
    acceptedBy: row.accepted_by,
    issuedAt: row.issued_at,
    expiresAt: row.expires_at,
  }));
}

function unavailable(error: unknown): never {
  throw ReadModelUnavailableError.translate(TENANT_DIRECTORY, error);
}

function paged<Row, Item>(rows: readonly Row[], limit: number, positionOf: (row: Row) => string, view: (row: Row) => Item): Page<Item> {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return { items: items.map(view), nextCursor: rows.length > limit && last ? encodeCursor(String(positionOf(last))) : null };
}
