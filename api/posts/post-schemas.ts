import { z } from 'zod';
import { POST_BODY_MAX_BYTES, POST_TITLE_MAX_CHARS, postBodySchema, postFormatSchema, postTitleSchema } from '../../domain/post/index.js';
import { visibilitySchema } from '../../domain/shared/caller.js';
import { storableText } from '../text-schemas.js';

/**
 * Request and answer shapes of the posts routes. Objects are strict (an
 * unknown field is 422); the limits are the domain's (domain/post/limits.ts).
 */
const title = storableText(postTitleSchema).meta({ description: `1 to ${POST_TITLE_MAX_CHARS} characters, not only spaces`, example: 'Hello, world' });
const body = storableText(postBodySchema).meta({ description: `At most ${POST_BODY_MAX_BYTES} bytes of UTF-8 (100 KB)`, example: 'The first post.' });
const format = postFormatSchema.meta({ description: 'How the body is written' });
const visibility = visibilitySchema.meta({ description: '`private`: its author, the admins of its tenant and readers of a collection holding it; `public`: anyone, guests too' });

export const createPostRequestSchema = z
  .object({ title, body, format: format.default('markdown'), visibility: visibility.default('private') })
  .strict()
  .meta({ id: 'CreatePostRequest' });

/** A whole replacement of the text; `format` and `visibility` keep their value when left out. */
export const updatePostRequestSchema = z
  .object({ title, body, format: format.optional(), visibility: visibility.optional() })
  .strict()
  .meta({ id: 'UpdatePostRequest' });

export const postParamsSchema = z.object({ id: z.uuid({ error: 'must be a post id (a UUID)' }) });

export const postListQuerySchema = z.object({
  author: z.string().min(1).max(100).optional().meta({ description: 'Only posts by this user id' }),
  collection: z.uuid({ error: 'must be a collection id (a UUID)' }).optional().meta({ description: 'Only posts in this collection (one you may read)' }),
  visibility: visibilitySchema.optional(),
  q: storableText(z.string().trim().min(1).max(200)).optional().meta({
    description: 'Full-text search over titles and bodies (English stemming; `"a phrase"`, `or`, `-word`)',
  }),
});

export const postViewSchema = z
  .object({
    id: z.string(),
    tenantId: z.string(),
    authorId: z.string(),
    title: z.string(),
    body: z.string(),
    format: postFormatSchema,
    visibility: visibilitySchema,
    revision: z.string().meta({ description: 'The post stream’s revision; the ETag, for If-Match' }),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'Post' });

/** A command's answer: the resource as the command left it, with where the change landed. */
export const postCommandAnswerSchema = z
  .object({
    id: z.string(),
    revision: z.string().meta({ description: 'The post stream’s revision after the command' }),
    position: z.string().nullable().meta({ description: 'The log position of the change: send as X-Min-Position to read your write' }),
    tenantId: z.string(),
    authorId: z.string(),
    title: z.string(),
    body: z.string(),
    format: postFormatSchema,
    visibility: visibilitySchema,
  })
  .meta({ id: 'PostCommandAnswer' });

export const postDeletedAnswerSchema = z
  .object({ id: z.string(), revision: z.string(), position: z.string().nullable(), deleted: z.literal(true) })
  .meta({ id: 'PostDeletedAnswer' });

export type PostView = z.infer<typeof postViewSchema>;
export type PostCommandAnswer = z.infer<typeof postCommandAnswerSchema>;
