import { describe, expect, it } from '@jest/globals';
import type { CollectionEvent } from '../../domain/collection/events.js';
import type { RecordedDomainEvent } from '../../domain/shared/events.js';
import { evolveCollectionRow, type CollectionRow } from '../../projections/collections/collection-row.js';

const collectionId = 'c-1';
let revision = -1n;
function recorded(event: CollectionEvent, at = '2026-01-01T00:00:00.000Z'): RecordedDomainEvent<CollectionEvent> {
  revision += 1n;
  return {
    ...event,
    streamId: `collection-${collectionId}`,
    revision,
    metadata: {
      eventId: '00000000-0000-4000-8000-000000000000', correlationId: 'c', causationId: 'c', actor: { type: 'user', id: 'u-owner' },
      tenantId: 't-1', requestId: null, occurredAt: at, schemaVersion: 1,
    },
  };
}
function rows(events: CollectionEvent[]): CollectionRow | null {
  revision = -1n;
  return events.reduce<CollectionRow | null>((row, event, index) => evolveCollectionRow(row, recorded(event, new Date(Date.UTC(2026, 0, 1, 0, 0, index)).toISOString())), null);
}

const created: CollectionEvent = { type: 'CollectionCreated', data: { collectionId, tenantId: 't-1', ownerId: 'u-owner', name: 'List', visibility: 'private' } };
const added = (postId: string): CollectionEvent => ({ type: 'PostAddedToCollection', data: { collectionId, postId } });

describe('collections read model rows', () => {
  it('given a created collection, posts added, moved and removed, and members: one row in order', () => {
    expect(
      rows([
        created,
        added('a'),
        added('b'),
        added('c'),
        { type: 'PostMovedInCollection', data: { collectionId, postId: 'c', index: 0 } },
        { type: 'PostRemovedFromCollection', data: { collectionId, postId: 'a', reason: 'removed' } },
        { type: 'CollectionMemberAdded', data: { collectionId, userId: 'u-1', role: 'editor' } },
        { type: 'CollectionMemberAdded', data: { collectionId, userId: 'u-2', role: 'viewer' } },
        { type: 'CollectionMemberAdded', data: { collectionId, userId: 'u-1', role: 'viewer' } },
        { type: 'CollectionMemberRemoved', data: { collectionId, userId: 'u-2' } },
        { type: 'CollectionRenamed', data: { collectionId, name: 'Renamed' } },
        { type: 'CollectionVisibilityChanged', data: { collectionId, visibility: 'public' } },
      ]),
    ).toEqual({
      id: collectionId, tenant_id: 't-1', owner_id: 'u-owner', name: 'Renamed', visibility: 'public', revision: '11',
      created_at: '2026-01-01T00:00:00.000Z', updated_at: '2026-01-01T00:00:11.000Z',
      post_ids: ['c', 'b'], editor_ids: [], viewer_ids: ['u-1'],
    });
  });

  it('given a deleted collection: no row; events of a collection never created change nothing', () => {
    expect(rows([created, added('a'), { type: 'CollectionDeleted', data: { collectionId } }])).toBeNull();
    expect(rows([added('a')])).toBeNull();
  });
});
