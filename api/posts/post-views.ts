import type { ActivePost } from '../../domain/post/index.js';
import type { Position } from '../../infra/event-store/event-store.js';
import type { PostRow } from '../../projections/posts/post-row.js';
import type { StateAt } from '../time-travel/state-at.js';
import type { PostCommandAnswer, PostView } from './post-schemas.js';

export function postView(row: PostRow): PostView {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    authorId: row.author_id,
    title: row.title,
    body: row.body,
    format: row.format,
    visibility: row.visibility,
    revision: row.revision,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export function postCommandAnswer(post: ActivePost, revision: bigint, position: Position | undefined): PostCommandAnswer {
  return {
    id: post.postId,
    revision: String(revision),
    position: position === undefined ? null : String(position),
    tenantId: post.tenantId,
    authorId: post.authorId,
    title: post.title,
    body: post.body,
    format: post.format,
    visibility: post.visibility,
  };
}

/** The post as it was at a point of its history (`?asOf=`), in the shape reads answer. */
export function postViewAsOf({ state, revision, createdAt, updatedAt }: StateAt<ActivePost>): PostView {
  return {
    id: state.postId,
    tenantId: state.tenantId,
    authorId: state.authorId,
    title: state.title,
    body: state.body,
    format: state.format,
    visibility: state.visibility,
    revision: String(revision),
    createdAt: createdAt.toISOString(),
    updatedAt: updatedAt.toISOString(),
  };
}
