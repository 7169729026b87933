import type { PostEvent, PostFormat } from '../../domain/post/index.js';
import type { Visibility } from '../../domain/shared/caller.js';
import type { RecordedDomainEvent } from '../../domain/shared/events.js';

export const POSTS = 'posts';

/**
 * The text search configuration of the `search` column; queries parse `?q=`
 * with the same. `english` stems (`?q=running` finds "runs") and leaves out
 * stop words such as "the".
 */
export const SEARCH_CONFIG = 'english';

/**
 * One row per post that exists. Timestamps come from the events' metadata
 * (`occurredAt`), so a replay writes the same rows. The full-text column
 * (`search`) is PostgreSQL's to compute and no row carries it.
 */
export interface PostRow {
  id: string;
  tenant_id: string;
  author_id: string;
  title: string;
  body: string;
  format: PostFormat;
  visibility: Visibility;
  /** The stream revision of the post's last event, as decimal text (int8). */
  revision: string;
  created_at: string;
  updated_at: string;
}

export function evolvePostRow(row: PostRow | null, event: RecordedDomainEvent<PostEvent>): PostRow | null {
  const revision = String(event.revision);
  const at = event.metadata.occurredAt;
  switch (event.type) {
    case 'PostCreated': {
      const { postId, tenantId, authorId, title, body, format, visibility } = event.data;
      return { id: postId, tenant_id: tenantId, author_id: authorId, title, body, format, visibility, revision, created_at: at, updated_at: at };
    }
    case 'PostUpdated':
      return row && changed(row, { title: event.data.title, body: event.data.body, format: event.data.format, revision, updated_at: at });
    case 'PostVisibilityChanged':
      return row && changed(row, { visibility: event.data.visibility, revision, updated_at: at });
    case 'PostDeleted':
      return null;
    default: {
      const _exhaustive: never = event;
      return _exhaustive;
    }
  }
}

function changed(row: PostRow, changes: Partial<PostRow>): PostRow {
  return { ...row, ...changes };
}
