import type { StoredEventData, Upcaster } from '../shared/upcasting.js';

/**
 * PostCreated v1 → v2: version 1 knew neither formats nor visibility, and
 * its posts were plain text, private. Everything else passes through as it
 * was, so an upcast never loses a field it does not know.
 */
export const postCreatedV1ToV2: Upcaster = {
  type: 'PostCreated',
  fromVersion: 1,
  upcast(data: StoredEventData): StoredEventData {
    return { ...data, format: 'plain', visibility: typeof data.visibility === 'string' ? data.visibility : 'private' };
  },
};

export const postUpcasters: readonly Upcaster[] = [postCreatedV1ToV2];
