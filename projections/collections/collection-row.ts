import { movePost } from '../../domain/collection/ordering.js';
import type { CollectionEvent } from '../../domain/collection/events.js';
import type { Visibility } from '../../domain/shared/caller.js';
import type { RecordedDomainEvent } from '../../domain/shared/events.js';

/** One row per collection: what lists, reads and access checks need, without loading the stream. */
export interface CollectionRow {
  id: string;
  tenant_id: string;
  owner_id: string;
  name: string;
  visibility: Visibility;
  /** The stream's revision after the event last applied, as a string (it is a bigint). */
  revision: string;
  /** ISO times, from the events' occurredAt, so a replay gives the same rows. */
  created_at: string;
  updated_at: string;
  /** In the collection's order. */
  post_ids: string[];
  editor_ids: string[];
  viewer_ids: string[];
}

/** The next row for one event of the collection's stream; null deletes it. */
export function evolveCollectionRow(row: CollectionRow | null, event: RecordedDomainEvent<CollectionEvent>): CollectionRow | null {
  if (event.type === 'CollectionCreated') {
    const { collectionId, tenantId, ownerId, name, visibility } = event.data;
    const at = event.metadata.occurredAt;
    return {
      id: collectionId, tenant_id: tenantId, owner_id: ownerId, name, visibility, revision: String(event.revision),
      created_at: at, updated_at: at, post_ids: [], editor_ids: [], viewer_ids: [],
    };
  }
  if (row === null) return null;
  const next = { ...row, revision: String(event.revision), updated_at: event.metadata.occurredAt };
  switch (event.type) {
    case 'CollectionRenamed':
      return { ...next, name: event.data.name };
    case 'CollectionVisibilityChanged':
      return { ...next, visibility: event.data.visibility };
    case 'CollectionDeleted':
      return null;
    case 'PostAddedToCollection':
      return row.post_ids.includes(event.data.postId) ? next : { ...next, post_ids: [...row.post_ids, event.data.postId] };
    case 'PostRemovedFromCollection':
      return { ...next, post_ids: row.post_ids.filter((postId) => postId !== event.data.postId) };
    case 'PostMovedInCollection':
      return { ...next, post_ids: movePost(row.post_ids, event.data.postId, event.data.index) };
    case 'CollectionMemberAdded': {
      const { userId, role } = event.data;
      const editors = without(row.editor_ids, userId);
      const viewers = without(row.viewer_ids, userId);
      return { ...next, editor_ids: role === 'editor' ? [...editors, userId] : editors, viewer_ids: role === 'viewer' ? [...viewers, userId] : viewers };
    }
    case 'CollectionMemberRemoved':
      return { ...next, editor_ids: without(row.editor_ids, event.data.userId), viewer_ids: without(row.viewer_ids, event.data.userId) };
    default: {
      const _exhaustive: never = event;
      return _exhaustive;
    }
  }
}

function without(ids: readonly string[], id: string): string[] {
  return ids.filter((other) => other !== id);
}
