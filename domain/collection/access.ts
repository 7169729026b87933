import type { Caller, Visibility } from '../shared/caller.js';
import { ForbiddenError, NotFoundError } from '../shared/errors.js';
import type { CollectionRole } from './events.js';

/** What a caller may do with a collection, each level including the ones before it. */
export type CollectionAccess = 'none' | 'read' | 'edit' | 'own';

/** What access is decided on: the same in the decider's state and in a read-model row. */
export interface CollectionAccessFacts {
  tenantId: string;
  ownerId: string;
  visibility: Visibility;
  /** The caller's role in the collection, if they are a member. */
  roleOf(userId: string): CollectionRole | undefined;
}

/**
 * Public collections are readable by anyone, guests and other tenants
 * included; everything else happens within the collection's tenant: the
 * owner and the tenant's admins may do all, editors add, remove and reorder
 * posts, viewers read.
 */
export function collectionAccess(collection: CollectionAccessFacts, caller: Caller): CollectionAccess {
  const publicRead: CollectionAccess = collection.visibility === 'public' ? 'read' : 'none';
  switch (caller.type) {
    case 'system':
      return 'own';
    case 'guest':
      return publicRead;
    case 'user': {
      if (caller.tenantId !== collection.tenantId) return publicRead;
      if (caller.userId === collection.ownerId || caller.admin) return 'own';
      const role = collection.roleOf(caller.userId);
      if (role === 'editor') return 'edit';
      if (role === 'viewer') return 'read';
      return publicRead;
    }
    default: {
      const _exhaustive: never = caller;
      return _exhaustive;
    }
  }
}

const rank: Record<CollectionAccess, number> = { none: 0, read: 1, edit: 2, own: 3 };

export function allows(access: CollectionAccess, needed: Exclude<CollectionAccess, 'none'>): boolean {
  return rank[access] >= rank[needed];
}

/**
 * Refuses a caller below `needed`: 404 to whoever may not even read the
 * collection (its existence does not leak), 403 to a reader.
 */
export function requireCollectionAccess(access: CollectionAccess, needed: Exclude<CollectionAccess, 'none'>, action: string): void {
  if (allows(access, needed)) return;
  if (access === 'none') throw collectionNotFound();
  throw new ForbiddenError(`only ${needed === 'own' ? 'the owner (or an admin of its tenant)' : 'an editor or the owner'} may ${action}`, {
    code: 'collection_forbidden',
  });
}

export function collectionNotFound(): NotFoundError {
  return new NotFoundError('no such collection', { code: 'collection_not_found' });
}
