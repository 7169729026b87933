import { z } from 'zod';
import { COLLECTION_MAX_POSTS, collectionNameSchema } from '../../domain/collection/limits.js';
import { collectionRoleSchema } from '../../domain/collection/events.js';
import { visibilitySchema } from '../../domain/shared/caller.js';
import { storableText } from '../text-schemas.js';

/**
 * Requests and answers of the collection routes. Objects are strict (an
 * unknown field is 422); ids are UUIDs (anything else is 400 in a path, 422 in a body).
 */
const name = storableText(collectionNameSchema).meta({ description: '1 to 100 characters, spaces around it removed', example: 'Reading list' });
const visibility = visibilitySchema.meta({ description: '`public`: readable by anyone, without a token; `private`: by the owner, members and admins' });

export const collectionParams = z.object({ id: z.uuid() });
export const collectionPostParams = z.object({ id: z.uuid(), postId: z.uuid() });
export const collectionMemberParams = z.object({ id: z.uuid(), userId: z.uuid() });

export const createCollectionSchema = z
  .object({ name, visibility: visibility.default('private') })
  .strict()
  .meta({ id: 'CreateCollectionRequest' });

export const updateCollectionSchema = z
  .object({ name: name.optional(), visibility: visibility.optional() })
  .strict()
  .refine((body) => body.name !== undefined || body.visibility !== undefined, { error: 'name or visibility is needed' })
  .meta({ id: 'UpdateCollectionRequest' });

export const addPostSchema = z.object({ postId: z.uuid() }).strict().meta({ id: 'AddPostToCollectionRequest' });

export const movePostSchema = z
  .object({
    index: z
      .number()
      .int()
      .min(0)
      .max(COLLECTION_MAX_POSTS - 1)
      .meta({ description: "The post's new place, 0 first; the others keep their order. Past the last place: 422 index_out_of_range" }),
  })
  .strict()
  .meta({ id: 'MovePostInCollectionRequest' });

export const addMemberSchema = z.object({ userId: z.uuid(), role: collectionRoleSchema }).strict().meta({ id: 'AddCollectionMemberRequest' });

export const listCollectionsQuery = z.object({
  visibility: visibilitySchema.optional(),
  owner: z.uuid().optional().meta({ description: "Only this user's collections" }),
});

export const collectionMemberSchema = z.object({ userId: z.string(), role: collectionRoleSchema }).meta({ id: 'CollectionMember' });

export const collectionViewSchema = z
  .object({
    id: z.string(),
    tenantId: z.string(),
    ownerId: z.string(),
    name: z.string(),
    visibility: visibilitySchema,
    postIds: z.array(z.string()).meta({ description: 'In the order added, as moved since' }),
    members: z.array(collectionMemberSchema).optional().meta({ description: 'Shown to the people of its tenant who may read it' }),
    revision: z.string().meta({ description: 'The stream revision; also the ETag, send it back as If-Match' }),
    createdAt: z.string().optional(),
    updatedAt: z.string().optional(),
  })
  .meta({ id: 'Collection' });

export const collectionResultSchema = collectionViewSchema
  .extend({ position: z.string().nullable().meta({ description: 'Send as X-Min-Position to see the change in the lists at once' }) })
  .meta({ id: 'CollectionCommandResult' });

export const deletedCollectionSchema = z
  .object({ id: z.string(), revision: z.string(), position: z.string().nullable(), deleted: z.literal(true) })
  .meta({ id: 'DeletedCollection' });
