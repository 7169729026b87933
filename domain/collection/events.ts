import { z } from 'zod';
import { visibilitySchema } from '../shared/caller.js';
import { eventSchema } from '../shared/events.js';

export const collectionRoleSchema = z.enum(['editor', 'viewer']);
export type CollectionRole = z.infer<typeof collectionRoleSchema>;

/*
 * Events are facts: their schemas accept what any past version of the rules
 * let through (names of any length), so a tighter limit tomorrow never makes
 * yesterday's log unreadable. Limits are checked on commands.
 */
const id = z.string().min(1);

export const collectionCreatedSchema = eventSchema(
  'CollectionCreated',
  z.object({ collectionId: id, tenantId: id, ownerId: id, name: z.string(), visibility: visibilitySchema }),
);

export const collectionRenamedSchema = eventSchema('CollectionRenamed', z.object({ collectionId: id, name: z.string() }));

export const collectionVisibilityChangedSchema = eventSchema(
  'CollectionVisibilityChanged',
  z.object({ collectionId: id, visibility: visibilitySchema }),
);

export const collectionDeletedSchema = eventSchema('CollectionDeleted', z.object({ collectionId: id }));

/** Appended at the end: a collection lists its posts in the order they were added, until one is moved. */
export const postAddedToCollectionSchema = eventSchema('PostAddedToCollection', z.object({ collectionId: id, postId: id }));

/**
 * `post_deleted`: the post was deleted and the system took it out
 * (metadata: the deletion's correlation id, the deletion event as causation).
 */
export const postRemovedFromCollectionSchema = eventSchema(
  'PostRemovedFromCollection',
  z.object({ collectionId: id, postId: id, reason: z.enum(['removed', 'post_deleted']) }),
);

/** The post now stands at `index` (0-based) of the collection's list; the others keep their order. */
export const postMovedInCollectionSchema = eventSchema(
  'PostMovedInCollection',
  z.object({ collectionId: id, postId: id, index: z.number().int().nonnegative() }),
);

/** Adds a member, or changes the role of one (the event carries the role they hold from now on). */
export const collectionMemberAddedSchema = eventSchema(
  'CollectionMemberAdded',
  z.object({ collectionId: id, userId: id, role: collectionRoleSchema }),
);

export const collectionMemberRemovedSchema = eventSchema('CollectionMemberRemoved', z.object({ collectionId: id, userId: id }));

export const collectionEventSchema = z.discriminatedUnion('type', [
  collectionCreatedSchema,
  collectionRenamedSchema,
  collectionVisibilityChangedSchema,
  collectionDeletedSchema,
  postAddedToCollectionSchema,
  postRemovedFromCollectionSchema,
  postMovedInCollectionSchema,
  collectionMemberAddedSchema,
  collectionMemberRemovedSchema,
]);

export type CollectionCreated = z.infer<typeof collectionCreatedSchema>;
export type CollectionRenamed = z.infer<typeof collectionRenamedSchema>;
export type CollectionVisibilityChanged = z.infer<typeof collectionVisibilityChangedSchema>;
export type CollectionDeleted = z.infer<typeof collectionDeletedSchema>;
export type PostAddedToCollection = z.infer<typeof postAddedToCollectionSchema>;
export type PostRemovedFromCollection = z.infer<typeof postRemovedFromCollectionSchema>;
export type PostMovedInCollection = z.infer<typeof postMovedInCollectionSchema>;
export type CollectionMemberAdded = z.infer<typeof collectionMemberAddedSchema>;
export type CollectionMemberRemoved = z.infer<typeof collectionMemberRemovedSchema>;
export type CollectionEvent = z.infer<typeof collectionEventSchema>;
export type CollectionEventType = CollectionEvent['type'];
