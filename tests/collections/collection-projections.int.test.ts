import { describe, it } from '@jest/globals';
import { collectionsReadModel } from '../../projections/collections/collections-read-model.js';
import { postRemovalsDueProjection } from '../../projections/collections/post-removals-due.js';
import type { GivenEvent } from '../support/given-events.js';
import { projectionSpec } from '../support/projection-spec.js';

const [c1, c2, c3] = ['c-1', 'c-2', 'c-3'];
const created = (collectionId: string, visibility = 'private'): GivenEvent => ({
  stream: `collection-${collectionId}`,
  type: 'CollectionCreated',
  data: { collectionId, tenantId: 't-1', ownerId: 'u-owner', name: `List ${collectionId}`, visibility },
});
const added = (collectionId: string, postId: string, id?: string): GivenEvent => ({
  stream: `collection-${collectionId}`,
  type: 'PostAddedToCollection',
  data: { collectionId, postId },
  ...(id ? { id } : {}),
});
const removed = (collectionId: string, postId: string, reason = 'post_deleted'): GivenEvent => ({
  stream: `collection-${collectionId}`,
  type: 'PostRemovedFromCollection',
  data: { collectionId, postId, reason },
});
// Small batches: the same rows whatever the cuts, and a replay in one large batch agrees.
const engine = { settings: { batchEvents: 3 } };

describe('collections read model', () => {
  it('given collections created, filled, reordered, shared and deleted: one row each, posts in order; a replay gives the same rows', async () => {
    await projectionSpec(collectionsReadModel, { engine })
      .given([
        created(c1),
        added(c1, 'p-a'),
        added(c1, 'p-b'),
        created(c2, 'public'),
        added(c1, 'p-c'),
        { stream: `collection-${c1}`, type: 'PostMovedInCollection', data: { collectionId: c1, postId: 'p-c', index: 0 } },
        { stream: `collection-${c1}`, type: 'CollectionMemberAdded', data: { collectionId: c1, userId: 'u-e', role: 'editor' } },
        { stream: `collection-${c1}`, type: 'CollectionMemberAdded', data: { collectionId: c1, userId: 'u-v', role: 'viewer' } },
        removed(c1, 'p-a', 'removed'),
        { stream: `collection-${c2}`, type: 'CollectionRenamed', data: { collectionId: c2, name: 'Renamed' } },
        created(c3),
        added(c3, 'p-a'),
        { stream: `collection-${c3}`, type: 'CollectionDeleted', data: { collectionId: c3 } },
      ])
      .then(
        {
          collections: [
            { id: c1, tenant_id: 't-1', owner_id: 'u-owner', name: 'List c-1', visibility: 'private', revision: '7', post_ids: ['p-c', 'p-b'], editor_ids: ['u-e'], viewer_ids: ['u-v'] },
            { id: c2, tenant_id: 't-1', owner_id: 'u-owner', name: 'Renamed', visibility: 'public', revision: '1', post_ids: [], editor_ids: [], viewer_ids: [] },
          ],
        },
        { replay: true },
      );
  }, 60_000);
});

describe('post removals owed', () => {
  it('given a post deleted while in collections, and one added after its deletion: a row per removal owed until the removal is recorded; a replay agrees', async () => {
    const deletion = '7b0c6a0e-3f0e-4a53-9d4c-0e1f2a3b4c5d';
    const lateAdd = '1f2e3d4c-5b6a-4798-8a9b-0c1d2e3f4a5b';
    await projectionSpec(postRemovalsDueProjection(), { engine })
      .given([
        created(c1),
        created(c2),
        created(c3),
        added(c1, 'p-1'),
        added(c2, 'p-1'),
        added(c3, 'p-1'),
        added(c1, 'p-2'),
        removed(c3, 'p-1', 'removed'),
        { stream: 'post-p-1', type: 'PostDeleted', data: { postId: 'p-1' }, id: deletion, metadata: { correlationId: 'the-deletion', tenantId: 't-1' } },
        removed(c2, 'p-1'),
        added(c3, 'p-1', lateAdd),
      ])
      .then(
        {
          collection_post_removals_due: [
            { collection_id: c1, post_id: 'p-1', tenant_id: 't-1', deletion_event_id: deletion, correlation_id: 'the-deletion', reaction_key: c1 },
            { collection_id: c3, post_id: 'p-1', tenant_id: 't-1', deletion_event_id: deletion, correlation_id: 'the-deletion', reaction_key: `${c3}/${lateAdd}` },
          ],
          collection_post_links: [{ post_id: 'p-2', collection_id: c1 }],
          collection_deleted_posts: [{ post_id: 'p-1', deletion_event_id: deletion, correlation_id: 'the-deletion', tenant_id: 't-1' }],
        },
        { replay: true },
      );
  }, 60_000);
});
