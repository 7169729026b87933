import type { z } from 'zod';
import type { CollectionRole } from '../../domain/collection/events.js';
import type { ActiveCollection } from '../../domain/collection/state.js';
import { isOfTenant, type Caller } from '../../domain/shared/caller.js';
import type { CollectionRecord } from '../../projections/collections/collection-queries.js';
import type { collectionViewSchema } from './collection-schemas.js';

export type CollectionView = z.input<typeof collectionViewSchema>;

/** Members are the tenant's business: shown to its people who may read the collection, not to guests or other tenants. */
function membersFor(caller: Caller, tenantId: string, members: ReadonlyArray<[string, CollectionRole]>): Pick<CollectionView, 'members'> {
  return isOfTenant(caller, tenantId) ? { members: members.map(([userId, role]) => ({ userId, role })) } : {};
}

/** From the state a command left: what its answer shows. */
export function viewOfState(collection: ActiveCollection, revision: bigint, caller: Caller): CollectionView {
  return {
    id: collection.collectionId,
    tenantId: collection.tenantId,
    ownerId: collection.ownerId,
    name: collection.name,
    visibility: collection.visibility,
    postIds: [...collection.postIds],
    ...membersFor(caller, collection.tenantId, Object.entries(collection.members)),
    revision: String(revision),
  };
}

/** From the read model: what reads show. */
export function viewOfRow(row: CollectionRecord, caller: Caller): CollectionView {
  const members: Array<[string, CollectionRole]> = [
    ...row.editor_ids.map((userId): [string, CollectionRole] => [userId, 'editor']),
    ...row.viewer_ids.map((userId): [string, CollectionRole] => [userId, 'viewer']),
  ];
  return {
    id: row.id,
    tenantId: row.tenant_id,
    ownerId: row.owner_id,
    name: row.name,
    visibility: row.visibility,
    postIds: row.post_ids,
    ...membersFor(caller, row.tenant_id, members),
    revision: String(row.revision),
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}
