import type { Visibility } from '../shared/caller.js';
import type { CollectionRole } from './events.js';

export type CollectionState =
  | { status: 'Empty' }
  | {
      status: 'Active';
      collectionId: string;
      tenantId: string;
      ownerId: string;
      name: string;
      visibility: Visibility;
      /** In the collection's order: as added, then as moved. */
      postIds: readonly string[];
      /** The owner is never a member: owning is more than any role. */
      members: Readonly<Record<string, CollectionRole>>;
    }
  | { status: 'Deleted'; collectionId: string; tenantId: string };

export type ActiveCollection = Extract<CollectionState, { status: 'Active' }>;
