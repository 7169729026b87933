import type { Caller, UserCaller, Visibility } from '../shared/caller.js';
import type { PostFormat } from './limits.js';

/**
 * Every command names who gives it (`by`), so who may change a post is
 * decided here, on the state the append is checked against. The post's
 * tenant and author are the creating user's.
 */
export type PostCommand =
  | { type: 'CreatePost'; by: UserCaller; data: { postId: string; title: string; body: string; format: PostFormat; visibility: Visibility } }
  /** Fields left out keep their value; what equals the current value appends nothing. */
  | { type: 'UpdatePost'; by: Caller; data: { title?: string; body?: string; format?: PostFormat; visibility?: Visibility } }
  | { type: 'DeletePost'; by: Caller; data: Record<string, never> };

export type PostCommandType = PostCommand['type'];
