import type { Knex } from 'knex';
import type { PostFacts } from '../../domain/collection/commands.js';
import type { Caller } from '../../domain/shared/caller.js';
import type { EventStore } from '../../infra/event-store/event-store.js';
import { readableCollectionHolds } from '../../projections/collections/collection-queries.js';

/** What adding a post needs to know of it, from its stream (the truth, not a read model that may lag). */
interface PostSummary {
  tenantId: string;
  authorId: string;
  visibility: string;
}

/**
 * The post as the caller may see it, for AddPost: null when there is no such
 * post (never created, or deleted). Readable when public, to its author and
 * its tenant's admins, and to whoever may read a collection holding it.
 */
export async function postFacts(deps: { eventStore: EventStore; knex: Knex }, caller: Caller, postId: string): Promise<PostFacts | null> {
  const post = await summarise(deps.eventStore, postId);
  if (!post) return null;
  const readable = readsDirectly(post, caller) || (await readableCollectionHolds(deps.knex, caller, postId));
  return { tenantId: post.tenantId, readable };
}

function readsDirectly(post: PostSummary, caller: Caller): boolean {
  if (post.visibility === 'public' || caller.type === 'system') return true;
  if (caller.type === 'guest') return false;
  return caller.tenantId === post.tenantId && (caller.userId === post.authorId || caller.admin);
}

/** Folds the post's stream to what access needs; a stand-in for the post aggregate's state, by event types only. */
async function summarise(eventStore: EventStore, postId: string): Promise<PostSummary | undefined> {
  let post: PostSummary | undefined;
  for (const event of await eventStore.readStream(`post-${postId}`)) {
    const data = event.data;
    if (event.type === 'PostCreated') {
      post = { tenantId: String(data.tenantId), authorId: String(data.authorId), visibility: String(data.visibility ?? 'private') };
    } else if (event.type === 'PostDeleted') {
      post = undefined;
    } else if (post && typeof data.visibility === 'string') {
      post = { ...post, visibility: data.visibility };
    }
  }
  return post;
}
