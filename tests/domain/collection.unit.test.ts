import { describe, expect, it } from '@jest/globals';
import {
  COLLECTION_MAX_MEMBERS,
  COLLECTION_MAX_POSTS,
  collectionDecider,
  type CollectionCommand,
  type CollectionEvent,
} from '../../domain/collection/index.js';
import { GUEST, SYSTEM_CALLER, type Caller } from '../../domain/shared/caller.js';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../../domain/shared/errors.js';
import { deciderSpec } from '../support/decider-spec.js';

const spec = deciderSpec(collectionDecider);
const collectionId = 'c-1';
const owner = { type: 'user', userId: 'u-owner', tenantId: 't-1', admin: false } as const;
const admin: Caller = { type: 'user', userId: 'u-admin', tenantId: 't-1', admin: true };
const editor: Caller = { type: 'user', userId: 'u-editor', tenantId: 't-1', admin: false };
const viewer: Caller = { type: 'user', userId: 'u-viewer', tenantId: 't-1', admin: false };
const colleague: Caller = { type: 'user', userId: 'u-colleague', tenantId: 't-1', admin: false };
const stranger: Caller = { type: 'user', userId: 'u-stranger', tenantId: 't-2', admin: true };

const created: CollectionEvent = {
  type: 'CollectionCreated',
  data: { collectionId, tenantId: 't-1', ownerId: 'u-owner', name: 'Reading list', visibility: 'private' },
};
const madePublic: CollectionEvent = { type: 'CollectionVisibilityChanged', data: { collectionId, visibility: 'public' } };
const added = (postId: string): CollectionEvent => ({ type: 'PostAddedToCollection', data: { collectionId, postId } });
const member = (userId: string, role: 'editor' | 'viewer'): CollectionEvent => ({ type: 'CollectionMemberAdded', data: { collectionId, userId, role } });
const shared = [created, member('u-editor', 'editor'), member('u-viewer', 'viewer')];
const readablePost = { tenantId: 't-1', readable: true };

const addPost = (by: Caller, postId = 'p-1', post: { tenantId: string; readable: boolean } | null = readablePost): CollectionCommand => ({
  type: 'AddPost',
  by,
  data: { postId, post },
});

describe('collection decider', () => {
  it('creates a collection owned by its creator, in their tenant, with a trimmed name', () => {
    spec.given([]).when({ type: 'CreateCollection', by: owner, data: { collectionId, name: '  Reading list ', visibility: 'private' } }).then([created]);
    spec.given([created]).when({ type: 'CreateCollection', by: owner, data: { collectionId, name: 'Again', visibility: 'private' } }).thenThrows(ConflictError, 'collection_exists');
  });

  it('refuses a name that is empty or longer than 100 characters', () => {
    const create = (name: string): CollectionCommand => ({ type: 'CreateCollection', by: owner, data: { collectionId, name, visibility: 'public' } });
    spec.given([]).when(create('   ')).thenThrows(ValidationError, 'invalid_collection_name');
    spec.given([]).when(create('x'.repeat(101))).thenThrows(ValidationError, 'invalid_collection_name');
    spec.given([]).when(create('x'.repeat(100))).then([{ type: 'CollectionCreated', data: { ...created.data, name: 'x'.repeat(100), visibility: 'public' } }]);
    spec.given([created]).when({ type: 'UpdateCollection', by: owner, data: { name: '' } }).thenThrows(ValidationError, 'invalid_collection_name');
  });

  it('renames and changes visibility in one command, leaving out what already holds', () => {
    spec.given([created]).when({ type: 'UpdateCollection', by: owner, data: { name: 'Favourites', visibility: 'public' } }).then([
      { type: 'CollectionRenamed', data: { collectionId, name: 'Favourites' } },
      madePublic,
    ]);
    spec.given([created]).when({ type: 'UpdateCollection', by: owner, data: { name: 'Reading list', visibility: 'private' } }).then([]);
    spec.given([created]).when({ type: 'UpdateCollection', by: admin, data: { visibility: 'public' } }).then([madePublic]);
  });

  it('adds posts in order, once each', () => {
    spec.given([created]).when(addPost(owner)).then([added('p-1')]);
    spec.given([created, added('p-1')]).when(addPost(owner)).then([]);
    spec.given([created, added('p-1'), added('p-2')]).thenState({
      status: 'Active', collectionId, tenantId: 't-1', ownerId: 'u-owner', name: 'Reading list', visibility: 'private', postIds: ['p-1', 'p-2'], members: {},
    });
  });

  it('adds only a post the caller may read, of the collection tenant, and answers alike for a missing one', () => {
    spec.given([created]).when(addPost(owner, 'p-1', null)).thenThrows(NotFoundError, 'post_not_found');
    spec.given([created]).when(addPost(owner, 'p-1', { tenantId: 't-1', readable: false })).thenThrows(NotFoundError, 'post_not_found');
    spec.given([created]).when(addPost(owner, 'p-1', { tenantId: 't-2', readable: true })).thenThrows(NotFoundError, 'post_not_found');
  });

  it(`holds at most ${COLLECTION_MAX_POSTS} posts`, () => {
    const full = [created, ...Array.from({ length: COLLECTION_MAX_POSTS }, (_, index) => added(`p-${index}`))];
    spec.given(full).when(addPost(owner, 'p-new')).thenThrows(ValidationError, 'collection_post_limit_reached');
    spec.given(full).when(addPost(owner, 'p-0')).then([]);
  });

  it('removes a post that is in the collection, and 404s one that is not', () => {
    spec.given([created, added('p-1')]).when({ type: 'RemovePost', by: editor, data: { postId: 'p-1' } }).thenThrows(NotFoundError, 'collection_not_found');
    spec.given([...shared, added('p-1')]).when({ type: 'RemovePost', by: editor, data: { postId: 'p-1' } }).then([
      { type: 'PostRemovedFromCollection', data: { collectionId, postId: 'p-1', reason: 'removed' } },
    ]);
    spec.given(shared).when({ type: 'RemovePost', by: editor, data: { postId: 'p-1' } }).thenThrows(NotFoundError, 'post_not_in_collection');
  });

  it('moves a post to an index, the others keeping their order', () => {
    const three = [created, added('a'), added('b'), added('c')];
    const move = (postId: string, index: number): CollectionCommand => ({ type: 'MovePost', by: owner, data: { postId, index } });
    spec.given(three).when(move('c', 0)).then([{ type: 'PostMovedInCollection', data: { collectionId, postId: 'c', index: 0 } }]);
    spec.given(three).when(move('b', 1)).then([]);
    spec.given(three).when(move('a', 3)).thenThrows(ValidationError, 'index_out_of_range');
    spec.given(three).when(move('a', -1)).thenThrows(ValidationError, 'index_out_of_range');
    spec.given(three).when(move('z', 0)).thenThrows(NotFoundError, 'post_not_in_collection');
    const moved = (postId: string, index: number): CollectionEvent => ({ type: 'PostMovedInCollection', data: { collectionId, postId, index } });
    const state = (events: CollectionEvent[]) => events.reduce(collectionDecider.evolve, collectionDecider.initialState());
    expect(state([...three, moved('c', 0)])).toMatchObject({ postIds: ['c', 'a', 'b'] });
    expect(state([...three, moved('a', 2)])).toMatchObject({ postIds: ['b', 'c', 'a'] });
    expect(state([...three, moved('a', 1), added('d')])).toMatchObject({ postIds: ['b', 'a', 'c', 'd'] });
  });

  it('adds members, changes a role, refuses the owner, other tenants and unknown users', () => {
    const share = (userId: string, role: 'editor' | 'viewer', tenantId: string | null = 't-1'): CollectionCommand => ({
      type: 'AddMember',
      by: owner,
      data: { userId, role, user: tenantId === null ? null : { tenantId } },
    });
    spec.given([created]).when(share('u-editor', 'editor')).then([member('u-editor', 'editor')]);
    spec.given(shared).when(share('u-editor', 'editor')).then([]);
    spec.given(shared).when(share('u-editor', 'viewer')).then([member('u-editor', 'viewer')]);
    spec.given([...shared, member('u-editor', 'viewer')]).thenState({
      status: 'Active', collectionId, tenantId: 't-1', ownerId: 'u-owner', name: 'Reading list', visibility: 'private', postIds: [],
      members: { 'u-editor': 'viewer', 'u-viewer': 'viewer' },
    });
    spec.given([created]).when(share('u-owner', 'editor')).thenThrows(ValidationError, 'owner_not_a_member');
    spec.given([created]).when(share('u-stranger', 'viewer', 't-2')).thenThrows(NotFoundError, 'user_not_found');
    spec.given([created]).when(share('u-nobody', 'viewer', null)).thenThrows(NotFoundError, 'user_not_found');
  });

  it(`has at most ${COLLECTION_MAX_MEMBERS} members; changing a role stays possible when full`, () => {
    const full = [created, ...Array.from({ length: COLLECTION_MAX_MEMBERS }, (_, index) => member(`u-${index}`, 'viewer'))];
    spec.given(full).when({ type: 'AddMember', by: owner, data: { userId: 'u-new', role: 'viewer', user: { tenantId: 't-1' } } }).thenThrows(
      ValidationError,
      'collection_member_limit_reached',
    );
    spec.given(full).when({ type: 'AddMember', by: owner, data: { userId: 'u-0', role: 'editor', user: { tenantId: 't-1' } } }).then([member('u-0', 'editor')]);
  });

  it('removes a member by the owner, or by the member leaving; not by another member', () => {
    const removed: CollectionEvent = { type: 'CollectionMemberRemoved', data: { collectionId, userId: 'u-viewer' } };
    spec.given(shared).when({ type: 'RemoveMember', by: owner, data: { userId: 'u-viewer' } }).then([removed]);
    spec.given(shared).when({ type: 'RemoveMember', by: viewer, data: { userId: 'u-viewer' } }).then([removed]);
    spec.given(shared).when({ type: 'RemoveMember', by: editor, data: { userId: 'u-viewer' } }).thenThrows(ForbiddenError, 'collection_forbidden');
    spec.given(shared).when({ type: 'RemoveMember', by: owner, data: { userId: 'u-colleague' } }).thenThrows(NotFoundError, 'collection_member_not_found');
    spec.given(shared).when({ type: 'RemoveMember', by: owner, data: { userId: '__proto__' } }).thenThrows(NotFoundError, 'collection_member_not_found');
    spec.given([...shared, removed]).when(addPost(viewer)).thenThrows(NotFoundError, 'collection_not_found');
  });

  it('deletes once; a deleted collection is not found for every command', () => {
    const deleted: CollectionEvent = { type: 'CollectionDeleted', data: { collectionId } };
    spec.given([created]).when({ type: 'DeleteCollection', by: owner, data: {} }).then([deleted]);
    spec.given([created, deleted]).when({ type: 'DeleteCollection', by: owner, data: {} }).thenThrows(NotFoundError, 'collection_not_found');
    spec.given([created, deleted]).when(addPost(owner)).thenThrows(NotFoundError, 'collection_not_found');
    spec.given([]).when({ type: 'UpdateCollection', by: owner, data: { name: 'x' } }).thenThrows(NotFoundError, 'collection_not_found');
    spec.given([created, deleted]).when({ type: 'CreateCollection', by: owner, data: { collectionId, name: 'x', visibility: 'private' } }).thenThrows(
      ConflictError,
      'collection_exists',
    );
  });

  it('takes a deleted post out for the system, and does nothing where it is not', () => {
    const removeDeleted: CollectionCommand = { type: 'RemoveDeletedPost', data: { postId: 'p-1' } };
    spec.given([created, added('p-1')]).when(removeDeleted).then([
      { type: 'PostRemovedFromCollection', data: { collectionId, postId: 'p-1', reason: 'post_deleted' } },
    ]);
    spec.given([created]).when(removeDeleted).then([]);
    spec.given([]).when(removeDeleted).then([]);
    spec.given([created, added('p-1'), { type: 'CollectionDeleted', data: { collectionId } }]).when(removeDeleted).then([]);
  });
});

/**
 * Every caller against every action, on a private and on a public collection:
 * 'ok' (events or nothing to do), 404 (may not know it exists) or 403 (may read, not change).
 */
describe('collection permissions', () => {
  type Outcome = 'ok' | 404 | 403;
  const callers: Record<string, Caller> = { owner, admin, editor, viewer, colleague, stranger, guest: GUEST, system: SYSTEM_CALLER };
  const actions: Record<string, (by: Caller) => CollectionCommand> = {
    update: (by) => ({ type: 'UpdateCollection', by, data: { name: 'Renamed' } }),
    delete: (by) => ({ type: 'DeleteCollection', by, data: {} }),
    addPost: (by) => addPost(by, 'p-2'),
    removePost: (by) => ({ type: 'RemovePost', by, data: { postId: 'p-1' } }),
    movePost: (by) => ({ type: 'MovePost', by, data: { postId: 'p-1', index: 0 } }),
    addMember: (by) => ({ type: 'AddMember', by, data: { userId: 'u-colleague', role: 'viewer', user: { tenantId: 't-1' } } }),
    removeMember: (by) => ({ type: 'RemoveMember', by, data: { userId: 'u-editor' } }),
  };
  const privateMatrix: Record<string, Record<string, Outcome>> = {
    owner: { update: 'ok', delete: 'ok', addPost: 'ok', removePost: 'ok', movePost: 'ok', addMember: 'ok', removeMember: 'ok' },
    admin: { update: 'ok', delete: 'ok', addPost: 'ok', removePost: 'ok', movePost: 'ok', addMember: 'ok', removeMember: 'ok' },
    editor: { update: 403, delete: 403, addPost: 'ok', removePost: 'ok', movePost: 'ok', addMember: 403, removeMember: 'ok' },
    viewer: { update: 403, delete: 403, addPost: 403, removePost: 403, movePost: 403, addMember: 403, removeMember: 403 },
    colleague: { update: 404, delete: 404, addPost: 404, removePost: 404, movePost: 404, addMember: 404, removeMember: 404 },
    stranger: { update: 404, delete: 404, addPost: 404, removePost: 404, movePost: 404, addMember: 404, removeMember: 404 },
    guest: { update: 404, delete: 404, addPost: 404, removePost: 404, movePost: 404, addMember: 404, removeMember: 404 },
    system: { update: 'ok', delete: 'ok', addPost: 'ok', removePost: 'ok', movePost: 'ok', addMember: 'ok', removeMember: 'ok' },
  };
  const readersOfPublic = ['colleague', 'stranger', 'guest'];
  const outcome = (events: CollectionEvent[], command: CollectionCommand): Outcome => {
    const state = events.reduce(collectionDecider.evolve, collectionDecider.initialState());
    try {
      collectionDecider.decide(command, state);
      return 'ok';
    } catch (error) {
      if (error instanceof NotFoundError) return 404;
      if (error instanceof ForbiddenError) return 403;
      throw error;
    }
  };

  for (const [callerName, caller] of Object.entries(callers)) {
    it(`${callerName}: private 404 unless allowed, public 403 instead of 404`, () => {
      const history = [...shared, added('p-1')];
      for (const [actionName, action] of Object.entries(actions)) {
        const expected = privateMatrix[callerName]?.[actionName];
        expect({ action: actionName, outcome: outcome(history, action(caller)) }).toEqual({ action: actionName, outcome: expected });
        const publicExpected = readersOfPublic.includes(callerName) ? 403 : expected;
        expect({ action: actionName, public: outcome([...history, madePublic], action(caller)) }).toEqual({ action: actionName, public: publicExpected });
      }
    });
  }
});
