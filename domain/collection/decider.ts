import type { Decider } from '../shared/decider.js';
import { ConflictError, NotFoundError, ValidationError } from '../shared/errors.js';
import { collectionAccess, collectionNotFound, requireCollectionAccess, type CollectionAccessFacts } from './access.js';
import type { CollectionCommand } from './commands.js';
import type { CollectionEvent, CollectionRole } from './events.js';
import { movePost } from './ordering.js';
import { COLLECTION_MAX_MEMBERS, COLLECTION_MAX_POSTS, collectionNameSchema } from './limits.js';
import type { ActiveCollection, CollectionState } from './state.js';

export const collectionDecider: Decider<CollectionState, CollectionCommand, CollectionEvent> = {
  initialState: () => ({ status: 'Empty' }),
  evolve,
  decide,
};

function evolve(state: CollectionState, event: CollectionEvent): CollectionState {
  if (event.type === 'CollectionCreated') {
    const { collectionId, tenantId, ownerId, name, visibility } = event.data;
    return { status: 'Active', collectionId, tenantId, ownerId, name, visibility, postIds: [], members: {} };
  }
  if (state.status !== 'Active') return state;
  switch (event.type) {
    case 'CollectionRenamed':
      return { ...state, name: event.data.name };
    case 'CollectionVisibilityChanged':
      return { ...state, visibility: event.data.visibility };
    case 'CollectionDeleted':
      return { status: 'Deleted', collectionId: state.collectionId, tenantId: state.tenantId };
    case 'PostAddedToCollection':
      return state.postIds.includes(event.data.postId) ? state : { ...state, postIds: [...state.postIds, event.data.postId] };
    case 'PostRemovedFromCollection':
      return { ...state, postIds: state.postIds.filter((postId) => postId !== event.data.postId) };
    case 'PostMovedInCollection':
      return { ...state, postIds: movePost(state.postIds, event.data.postId, event.data.index) };
    case 'CollectionMemberAdded':
      return { ...state, members: { ...state.members, [event.data.userId]: event.data.role } };
    case 'CollectionMemberRemoved': {
      const { [event.data.userId]: _removed, ...members } = state.members;
      return { ...state, members };
    }
    default: {
      const _exhaustive: never = event;
      return _exhaustive;
    }
  }
}

function decide(command: CollectionCommand, state: CollectionState): CollectionEvent[] {
  if (command.type === 'CreateCollection') {
    if (state.status !== 'Empty') throw new ConflictError('the collection already exists', { code: 'collection_exists' });
    const { collectionId, visibility } = command.data;
    const { userId: ownerId, tenantId } = command.by;
    return [{ type: 'CollectionCreated', data: { collectionId, tenantId, ownerId, name: validName(command.data.name), visibility } }];
  }
  if (command.type === 'RemoveDeletedPost') {
    if (state.status !== 'Active' || !state.postIds.includes(command.data.postId)) return [];
    return [{ type: 'PostRemovedFromCollection', data: { collectionId: state.collectionId, postId: command.data.postId, reason: 'post_deleted' } }];
  }
  if (state.status !== 'Active') throw collectionNotFound();
  return decideForActive(command, state);
}

function decideForActive(command: Exclude<CollectionCommand, { type: 'CreateCollection' | 'RemoveDeletedPost' }>, collection: ActiveCollection): CollectionEvent[] {
  const { collectionId } = collection;
  const access = collectionAccess(accessFacts(collection), command.by);
  switch (command.type) {
    case 'UpdateCollection': {
      requireCollectionAccess(access, 'own', 'change the collection');
      const { name, visibility } = command.data;
      const newName = name === undefined ? undefined : validName(name);
      return [
        ...(newName !== undefined && newName !== collection.name ? [{ type: 'CollectionRenamed' as const, data: { collectionId, name: newName } }] : []),
        ...(visibility !== undefined && visibility !== collection.visibility
          ? [{ type: 'CollectionVisibilityChanged' as const, data: { collectionId, visibility } }]
          : []),
      ];
    }
    case 'DeleteCollection':
      requireCollectionAccess(access, 'own', 'delete the collection');
      return [{ type: 'CollectionDeleted', data: { collectionId } }];
    case 'AddPost': {
      requireCollectionAccess(access, 'edit', 'add posts');
      const { postId, post } = command.data;
      // Another tenant's post, or one the caller may not read, is no post to them: its existence does not leak.
      if (!post || !post.readable || post.tenantId !== collection.tenantId) throw postNotFound();
      if (collection.postIds.includes(postId)) return [];
      if (collection.postIds.length >= COLLECTION_MAX_POSTS) {
        throw new ValidationError(`a collection holds at most ${COLLECTION_MAX_POSTS} posts`, {
          code: 'collection_post_limit_reached',
          details: [{ limit: COLLECTION_MAX_POSTS }],
        });
      }
      return [{ type: 'PostAddedToCollection', data: { collectionId, postId } }];
    }
    case 'RemovePost':
      requireCollectionAccess(access, 'edit', 'remove posts');
      if (!collection.postIds.includes(command.data.postId)) throw postNotInCollection();
      return [{ type: 'PostRemovedFromCollection', data: { collectionId, postId: command.data.postId, reason: 'removed' } }];
    case 'MovePost': {
      requireCollectionAccess(access, 'edit', 'reorder posts');
      const { postId, index } = command.data;
      const current = collection.postIds.indexOf(postId);
      if (current === -1) throw postNotInCollection();
      if (!Number.isInteger(index) || index < 0 || index >= collection.postIds.length) {
        throw new ValidationError(`index must be an integer from 0 to ${collection.postIds.length - 1}`, {
          code: 'index_out_of_range',
          details: [{ path: 'index', index, size: collection.postIds.length }],
        });
      }
      return current === index ? [] : [{ type: 'PostMovedInCollection', data: { collectionId, postId, index } }];
    }
    case 'AddMember': {
      requireCollectionAccess(access, 'own', 'share the collection');
      const { userId, role, user } = command.data;
      if (!user || user.tenantId !== collection.tenantId) throw new NotFoundError('no such user', { code: 'user_not_found' });
      if (userId === collection.ownerId) {
        throw new ValidationError('the owner is not a member: owning includes every role', { code: 'owner_not_a_member' });
      }
      const held = roleOf(collection, userId);
      if (held === role) return [];
      if (held === undefined && Object.keys(collection.members).length >= COLLECTION_MAX_MEMBERS) {
        throw new ValidationError(`a collection has at most ${COLLECTION_MAX_MEMBERS} members`, {
          code: 'collection_member_limit_reached',
          details: [{ limit: COLLECTION_MAX_MEMBERS }],
        });
      }
      return [{ type: 'CollectionMemberAdded', data: { collectionId, userId, role } }];
    }
    case 'RemoveMember': {
      const { userId } = command.data;
      const leaving = command.by.type === 'user' && command.by.userId === userId && roleOf(collection, userId) !== undefined;
      if (!leaving) requireCollectionAccess(access, 'own', 'change the members');
      if (roleOf(collection, userId) === undefined) throw new NotFoundError('no such member', { code: 'collection_member_not_found' });
      return [{ type: 'CollectionMemberRemoved', data: { collectionId, userId } }];
    }
    default: {
      const _exhaustive: never = command;
      return _exhaustive;
    }
  }
}

export function accessFacts(collection: ActiveCollection): CollectionAccessFacts {
  return { tenantId: collection.tenantId, ownerId: collection.ownerId, visibility: collection.visibility, roleOf: (userId: string) => roleOf(collection, userId) };
}

/** Ids come from requests: `constructor` or `__proto__` must not find the prototype's members. */
function roleOf(collection: ActiveCollection, userId: string): CollectionRole | undefined {
  return Object.hasOwn(collection.members, userId) ? collection.members[userId] : undefined;
}

function validName(name: string): string {
  const parsed = collectionNameSchema.safeParse(name);
  if (parsed.success) return parsed.data;
  throw new ValidationError('a collection name is 1 to 100 characters, not counting spaces around it', {
    code: 'invalid_collection_name',
    details: parsed.error.issues.map((issue) => ({ path: 'name', code: issue.code, message: issue.message })),
  });
}

function postNotFound(): NotFoundError {
  return new NotFoundError('no such post', { code: 'post_not_found' });
}

function postNotInCollection(): NotFoundError {
  return new NotFoundError('the post is not in this collection', { code: 'post_not_in_collection' });
}
