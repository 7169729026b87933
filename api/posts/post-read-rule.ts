import { readsPostDirectly, type ActivePost } from '../../domain/post/index.js';
import type { Caller } from '../../domain/shared/caller.js';
import { findReadablePost, type PostReads } from '../../projections/posts/post-queries.js';

/**
 * Whether the caller may read this post now: from the post alone when it
 * says so (public, or theirs to change), else from the read models (a
 * collection they may read holds it). One rule for every reader of a post's
 * stream outside the posts read model (refused commands, time travel).
 */
export async function mayReadPost(reads: PostReads, caller: Caller, post: ActivePost): Promise<boolean> {
  return readsPostDirectly(post, caller) || (await findReadablePost(reads, caller, post.postId)) !== undefined;
}
