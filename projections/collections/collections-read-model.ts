import { collectionEventSchema, type CollectionEvent } from '../../domain/collection/events.js';
import { COLLECTION_CATEGORY, collectionIdOf } from '../../domain/collection/streams.js';
import { readModel } from '../read-model.js';
import { evolveCollectionRow, type CollectionRow } from './collection-row.js';

export const COLLECTIONS = 'collections';

/**
 * The `collections` read model: one row per collection, with its posts in
 * order and its members, for lists, reads and access checks without loading
 * the stream. GIN indexes answer "which collections hold this post" and
 * "which is this user a member of".
 */
export const collectionsReadModel = readModel<CollectionRow, CollectionEvent, typeof COLLECTIONS>({
  name: COLLECTIONS,
  version: 1,
  table: COLLECTIONS,
  events: collectionEventSchema,
  filter: { streamPrefixes: [`${COLLECTION_CATEGORY}-`] },
  columns: {
    id: 'text primary key',
    tenant_id: 'text not null',
    owner_id: 'text not null',
    name: 'text not null',
    visibility: 'text not null',
    revision: 'numeric(20,0) not null',
    created_at: 'timestamptz not null',
    updated_at: 'timestamptz not null',
    post_ids: 'text[] not null',
    editor_ids: 'text[] not null',
    viewer_ids: 'text[] not null',
  },
  indexes: [
    '(tenant_id, created_at DESC, id DESC)',
    "(created_at DESC, id DESC) WHERE visibility = 'public'",
    'USING gin (post_ids)',
    'USING gin (editor_ids)',
    'USING gin (viewer_ids)',
  ],
  key: (event) => collectionIdOf(event.streamId),
  evolve: evolveCollectionRow,
});
