import type { Knex } from 'knex';
import type { Role, TenantRole } from '../../domain/user/roles.js';
import { ReadModelUnavailableError } from '../engine/errors.js';
import { keysetPage, type KeysetOrder, type Page, type PageRequest } from '../keyset-page.js';
import { DIRECTORY_INVITATIONS, DIRECTORY_USERS, TENANT_DIRECTORY } from './tenant-directory.js';

export type { Page, PageRequest };

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

/** Members in the order they joined, invitations newest first: log positions, unique, so each order is total. */
const MEMBER_ORDER: KeysetOrder = [['joined_position', 'asc']];
const INVITATION_ORDER: KeysetOrder = [['issued_position', 'desc']];

/** A tenant's members in the order they joined. */
export async function listTenantMembers(knex: Knex, tenantId: string, page: PageRequest): Promise<Page<TenantMember>> {
  const query = knex(DIRECTORY_USERS).where({ tenant_id: tenantId });
  const rows = await keysetPage<{ user_id: string; email: string; display_name: string; roles: Role[]; disabled: boolean; email_verified: boolean; joined_at: Date }>(query, {
    orderBy: MEMBER_ORDER,
    cursor: page.cursor,
    limit: page.limit,
  }).catch(unavailable);
  return viewed(rows, (row) => ({
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
  const query = knex(DIRECTORY_INVITATIONS).where({ tenant_id: tenantId });
  if (page.status === 'accepted') query.whereNotNull('accepted_by');
  if (page.status === 'revoked') query.whereNull('accepted_by').andWhere({ revoked: true });
  if (page.status === 'expired') query.whereNull('accepted_by').andWhere({ revoked: false }).andWhere('expires_at', '<=', page.now);
  if (page.status === 'pending') query.whereNull('accepted_by').andWhere({ revoked: false }).andWhere('expires_at', '>', page.now);
  const rows = await keysetPage<{ invitation_id: string; email: string; role: TenantRole; invited_by: string; expires_at: Date; issued_at: Date; accepted_by: string | null; revoked: boolean }>(
    query,
    { orderBy: INVITATION_ORDER, cursor: page.cursor, limit: page.limit },
  ).catch(unavailable);
  return viewed(rows, (row) => ({
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

function viewed<Row, Item>(page: Page<Row>, view: (row: Row) => Item): Page<Item> {
  return { items: page.items.map(view), nextCursor: page.nextCursor };
}
