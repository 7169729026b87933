import type { Caller, UserCaller, Visibility } from '../shared/caller.js';
import type { CollectionRole } from './events.js';

/** What the caller's side found about a post before adding it: null when there is no such post. */
export interface PostFacts {
  tenantId: string;
  /** Whether the caller may read the post (its author, a public post, an admin of its tenant...). */
  readable: boolean;
}

/** What the caller's side found about a user before adding them: null when there is no such user. */
export interface UserFacts {
  tenantId: string;
}

/**
 * Every command names who gives it (`by`), so the permission rules are
 * decided here, on the state the append is checked against.
 */
export type CollectionCommand =
  | { type: 'CreateCollection'; by: UserCaller; data: { collectionId: string; name: string; visibility: Visibility } }
  /** Rename and/or change visibility in one append; what already holds is left out. */
  | { type: 'UpdateCollection'; by: Caller; data: { name?: string; visibility?: Visibility } }
  | { type: 'DeleteCollection'; by: Caller; data: Record<string, never> }
  | { type: 'AddPost'; by: Caller; data: { postId: string; post: PostFacts | null } }
  | { type: 'RemovePost'; by: Caller; data: { postId: string } }
  | { type: 'MovePost'; by: Caller; data: { postId: string; index: number } }
  | { type: 'AddMember'; by: Caller; data: { userId: string; role: CollectionRole; user: UserFacts | null } }
  /** By the owner (or an admin), or by the member themselves: leaving a collection. */
  | { type: 'RemoveMember'; by: Caller; data: { userId: string } }
  /** The system's reaction to PostDeleted; nothing to do when the post is not (or no longer) in the collection. */
  | { type: 'RemoveDeletedPost'; data: { postId: string } };

export type CollectionCommandType = CollectionCommand['type'];
