import type { Caller, Visibility } from '../shared/caller.js';

/** What access to a post is decided on: the same in the decider's state and in a read-model row. */
export interface PostAccessFacts {
  tenantId: string;
  authorId: string;
  visibility: Visibility;
}

/**
 * Its author and the admins of its tenant may change a post (and the system,
 * for its own processes); nobody else, whatever they may read.
 */
export function mayChangePost(post: Omit<PostAccessFacts, 'visibility'>, caller: Caller): boolean {
  switch (caller.type) {
    case 'system':
      return true;
    case 'guest':
      return false;
    case 'user':
      return caller.tenantId === post.tenantId && (caller.userId === post.authorId || caller.admin);
    default: {
      const _exhaustive: never = caller;
      return _exhaustive;
    }
  }
}

/**
 * Readable from the post alone: public, or changeable by the caller. A post
 * is also readable by whoever may read a collection holding it; that takes
 * the collections read model (projections/posts/post-access-sql.ts).
 */
export function readsPostDirectly(post: PostAccessFacts, caller: Caller): boolean {
  return post.visibility === 'public' || mayChangePost(post, caller);
}
