import { z } from 'zod';
import { visibilitySchema } from '../shared/caller.js';
import { eventSchema } from '../shared/events.js';
import { postFormatSchema } from './limits.js';

/*
 * Events are facts: their schemas accept any text a past version of the rules
 * let through, so a tighter limit tomorrow never makes yesterday's log
 * unreadable. The limits are checked on commands (decider, HTTP edge).
 */

/**
 * Schema version 2, the current one. Version 1 had no `format` and no
 * `visibility`; its upcaster (upcasters.ts) fills in `plain` and `private`.
 */
export const postCreatedSchema = eventSchema(
  'PostCreated',
  z.object({
    postId: z.string().min(1),
    tenantId: z.string().min(1),
    authorId: z.string().min(1),
    title: z.string(),
    body: z.string(),
    format: postFormatSchema,
    visibility: visibilitySchema,
  }),
);

/** PostCreated as schema version 1 wrote it; read only by its upcaster and its tests. */
export const postCreatedV1DataSchema = z.object({
  postId: z.string().min(1),
  tenantId: z.string().min(1),
  authorId: z.string().min(1),
  title: z.string(),
  body: z.string(),
});

/** The content after the change, whole: a reader of one event knows the post's text without folding. */
export const postUpdatedSchema = eventSchema(
  'PostUpdated',
  z.object({ postId: z.string().min(1), title: z.string(), body: z.string(), format: postFormatSchema }),
);

export const postVisibilityChangedSchema = eventSchema(
  'PostVisibilityChanged',
  z.object({ postId: z.string().min(1), visibility: visibilitySchema }),
);

/** The stream ends here; collections drop the post in reaction (PostRemovedFromCollection). */
export const postDeletedSchema = eventSchema('PostDeleted', z.object({ postId: z.string().min(1) }));

export const postEventSchema = z.discriminatedUnion('type', [postCreatedSchema, postUpdatedSchema, postVisibilityChangedSchema, postDeletedSchema]);

export type PostCreated = z.infer<typeof postCreatedSchema>;
export type PostCreatedV1Data = z.infer<typeof postCreatedV1DataSchema>;
export type PostUpdated = z.infer<typeof postUpdatedSchema>;
export type PostVisibilityChanged = z.infer<typeof postVisibilityChangedSchema>;
export type PostDeleted = z.infer<typeof postDeletedSchema>;
export type PostEvent = z.infer<typeof postEventSchema>;
export type PostEventType = PostEvent['type'];

export const postEventTypes: readonly PostEventType[] = postEventSchema.options.map((option) => option.shape.type.value);

/** The schema version each post event is written with now; types not named are at 1. */
export const POST_EVENT_VERSIONS: Readonly<Partial<Record<PostEventType, number>>> = { PostCreated: 2 };
