import type { PostFormat, PostVisibility } from './limits.js';

/**
 * Who asks for a change, as far as the post's rules care: the author of the
 * post, or an admin of its tenant, may change it; nobody else.
 */
export interface PostEditor {
  userId: string;
  tenantId: string;
  isTenantAdmin: boolean;
}

/** Commands carry everything that varies (the id, the author) so decide stays pure. */
export type PostCommand =
  | {
      type: 'CreatePost';
      data: { postId: string; tenantId: string; authorId: string; title: string; body: string; format: PostFormat; visibility: PostVisibility };
    }
  | {
      type: 'UpdatePost';
      /** Fields left out keep their value; what equals the current value appends nothing. */
      data: { by: PostEditor; title?: string; body?: string; format?: PostFormat; visibility?: PostVisibility };
    }
  | { type: 'DeletePost'; data: { by: PostEditor } };

export type PostCommandType = PostCommand['type'];
