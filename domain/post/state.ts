import type { Visibility } from '../shared/caller.js';
import type { PostFormat } from './limits.js';

export interface PostContent {
  title: string;
  body: string;
  format: PostFormat;
}

export type PostState =
  | { status: 'Empty' }
  | ({ status: 'Active'; postId: string; tenantId: string; authorId: string; visibility: Visibility } & PostContent)
  /** Kept so that a deleted post's id is never reused and its tenant and author stay known. */
  | { status: 'Deleted'; postId: string; tenantId: string; authorId: string };

export type ActivePost = Extract<PostState, { status: 'Active' }>;
