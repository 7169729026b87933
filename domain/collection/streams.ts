import { streamName } from '../shared/events.js';

export const COLLECTION_CATEGORY = 'collection';

export function collectionStream(collectionId: string): string {
  return streamName(COLLECTION_CATEGORY, collectionId);
}

/** The collection id of a `collection-<id>` stream; undefined for other streams. */
export function collectionIdOf(streamId: string): string | undefined {
  const prefix = `${COLLECTION_CATEGORY}-`;
  return streamId.startsWith(prefix) && streamId.length > prefix.length ? streamId.slice(prefix.length) : undefined;
}
