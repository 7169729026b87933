import { POST_CATEGORY, postEventSchema } from '../../domain/post/index.js';
import { readModel } from '../read-model.js';
import { evolvePostRow, POSTS, SEARCH_CONFIG } from './post-row.js';

export const POSTS_PROJECTION = 'posts';

/**
 * One row per post that exists. `search` is computed by PostgreSQL from the
 * title (weight A) and the body (B), behind a GIN index, for `?q=`; the other
 * indexes serve the lists' order (newest first) with their usual filters.
 */
export function postsReadModel() {
  return readModel({
    name: POSTS_PROJECTION,
    version: 1,
    table: POSTS,
    events: postEventSchema,
    filter: { streamPrefixes: [`${POST_CATEGORY}-`] },
    // Bodies of up to 100 KB: 20,000 of them (the engine's default) outlive V8's young generation, and the replay spent a third of its time collecting them.
    replayBatchEvents: 5_000,
    columns: {
      id: 'text primary key',
      tenant_id: 'text not null',
      author_id: 'text not null',
      title: 'text not null',
      body: 'text not null',
      format: 'text not null',
      visibility: 'text not null',
      revision: 'int8 not null',
      created_at: 'timestamptz not null',
      updated_at: 'timestamptz not null',
    },
    generated: {
      search:
        `tsvector GENERATED ALWAYS AS (setweight(to_tsvector('${SEARCH_CONFIG}'::regconfig, title), 'A') || ` +
        `setweight(to_tsvector('${SEARCH_CONFIG}'::regconfig, body), 'B')) STORED`,
    },
    indexes: [
      'USING gin (search)',
      '(created_at DESC, id DESC)',
      '(author_id, created_at DESC, id DESC)',
      "(created_at DESC, id DESC) WHERE visibility = 'public'",
    ],
    key: (event) => event.data.postId,
    evolve: evolvePostRow,
  });
}
