import type { Knex } from 'knex';
import type { CollectionAccessFacts } from '../../domain/collection/access.js';
import type { CollectionRole } from '../../domain/collection/events.js';
import type { Caller, Visibility } from '../../domain/shared/caller.js';
import { ReadModelUnavailableError } from '../engine/errors.js';
import { keysetPage, type KeysetOrder, type Page, type PageRequest } from '../keyset-page.js';
import type { CollectionRow } from './collection-row.js';
import { COLLECTIONS } from './collections-read-model.js';

export { COLLECTIONS };

/** A row as PostgreSQL returns it: timestamps as dates. */
export interface CollectionRecord extends Omit<CollectionRow, 'created_at' | 'updated_at'> {
  created_at: Date;
  updated_at: Date;
}

export async function findCollection(knex: Knex, collectionId: string): Promise<CollectionRecord | undefined> {
  const row: CollectionRecord | undefined = await knex(COLLECTIONS).where({ id: collectionId }).first().catch(unavailable);
  return row;
}

/** What access is decided on, from a row. */
export function rowAccessFacts(row: Pick<CollectionRow, 'tenant_id' | 'owner_id' | 'visibility' | 'editor_ids' | 'viewer_ids'>): CollectionAccessFacts {
  return {
    tenantId: row.tenant_id,
    ownerId: row.owner_id,
    visibility: row.visibility,
    roleOf: (userId): CollectionRole | undefined => (row.editor_ids.includes(userId) ? 'editor' : row.viewer_ids.includes(userId) ? 'viewer' : undefined),
  };
}

export interface CollectionListRequest extends PageRequest {
  caller: Caller;
  visibility?: Visibility;
  ownerId?: string;
}

/** Newest first; the id breaks ties, so the order is total and pages never overlap. */
const NEWEST_FIRST: KeysetOrder = [
  ['created_at', 'desc'],
  ['id', 'desc'],
];

/**
 * The collections the caller may read, newest first, in pages: a guest's are
 * the public ones; a user's are those of their tenant they may read (all of
 * them for an admin). Another tenant's public collection is readable by its
 * id, not listed.
 */
export async function listCollections(knex: Knex, request: CollectionListRequest): Promise<Page<CollectionRecord>> {
  const query = knex(COLLECTIONS).select('*');
  readableBy(query, request.caller, { listing: true });
  if (request.visibility) query.andWhere({ visibility: request.visibility });
  if (request.ownerId) query.andWhere({ owner_id: request.ownerId });
  return keysetPage<CollectionRecord>(query, { orderBy: NEWEST_FIRST, cursor: request.cursor, limit: request.limit }).catch(unavailable);
}

/**
 * Whether the caller may read some collection holding the post: that makes
 * the post readable to them (guests included, through a public collection).
 */
export async function readableCollectionHolds(knex: Knex, caller: Caller, postId: string): Promise<boolean> {
  const query = knex(COLLECTIONS).select('id').whereRaw('post_ids @> ARRAY[?]::text[]', [postId]);
  readableBy(query, caller, { listing: false });
  const found = await query.first().catch(unavailable);
  return found !== undefined;
}

/**
 * Narrows a query to the collections the caller may read (the rule of
 * collectionAccess, in SQL). Listing keeps to the caller's tenant: another
 * tenant's public collection is readable, but not listed.
 */
function readableBy(query: Knex.QueryBuilder, caller: Caller, { listing }: { listing: boolean }): void {
  if (caller.type === 'system') return;
  if (caller.type === 'guest') {
    query.where({ visibility: 'public' });
    return;
  }
  if (caller.admin) {
    if (listing) query.where({ tenant_id: caller.tenantId });
    else query.where((readable) => readable.where({ tenant_id: caller.tenantId }).orWhere({ visibility: 'public' }));
    return;
  }
  query.where((readable) => {
    readable
      .where({ visibility: 'public', ...(listing ? { tenant_id: caller.tenantId } : {}) })
      .orWhere((own) =>
        own.where({ tenant_id: caller.tenantId }).andWhere((member) =>
          member
            .where({ owner_id: caller.userId })
            .orWhereRaw('editor_ids @> ARRAY[?]::text[]', [caller.userId])
            .orWhereRaw('viewer_ids @> ARRAY[?]::text[]', [caller.userId]),
        ),
      );
  });
}

function unavailable(error: unknown): never {
  throw ReadModelUnavailableError.translate(COLLECTIONS, error);
}
