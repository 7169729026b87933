import type { Knex } from 'knex';
import { postEventSchema, POST_CATEGORY, postIdOfStream, type PostEvent } from '../../domain/post/index.js';
import type { RecordedDomainEvent } from '../../domain/shared/events.js';
import { eventMetadataSchema } from '../../domain/shared/metadata.js';
import type { RecordedEvent } from '../../infra/event-store/event-store.js';
import type { Projection } from '../projection.js';
import { POSTS_PROJECTION, postRowOf } from './post-queries.js';
import { evolvePostRow, POSTS, postsTableSql, type PostRow } from './post-row.js';

/**
 * The posts read model: one row per post, folded per batch in memory from
 * the rows the batch touches, then one upsert of the survivors and one
 * delete of the deleted.
 */
export function postsProjection(): Projection<typeof POSTS> {
  return {
    name: POSTS_PROJECTION,
    version: 1,
    filter: { streamPrefixes: [`${POST_CATEGORY}-`] },
    tables: [POSTS],
    async setup(trx, tables) {
      await trx.raw(postsTableSql(tables[POSTS]));
    },
    async apply(events, trx, tables) {
      const table = tables[POSTS];
      const typed = events.map(toDomainEvent).filter((event): event is RecordedDomainEvent<PostEvent> => event !== undefined);
      const ids = [...new Set(typed.map((event) => event.data.postId))];
      if (ids.length === 0) return;
      const rows = await existingRows(trx, table, ids);
      for (const event of typed) rows.set(event.data.postId, evolvePostRow(rows.get(event.data.postId) ?? null, event));
      const survivors = [...rows.values()].filter((row): row is PostRow => row !== null);
      const deleted = [...rows.entries()].filter(([, row]) => row === null).map(([id]) => id);
      if (survivors.length > 0) await trx(table).insert(survivors).onConflict('id').merge();
      if (deleted.length > 0) await trx(table).whereIn('id', deleted).delete();
    },
  };
}

function toDomainEvent(event: RecordedEvent): RecordedDomainEvent<PostEvent> | undefined {
  if (postIdOfStream(event.stream) === undefined) return undefined;
  const parsed = postEventSchema.parse({ type: event.type, data: event.data });
  return { ...parsed, metadata: eventMetadataSchema.parse(event.metadata), streamId: event.stream, revision: event.revision };
}

async function existingRows(trx: Knex.Transaction, table: string, ids: readonly string[]): Promise<Map<string, PostRow | null>> {
  const found: Record<string, unknown>[] = await trx(table).select('id', 'tenant_id', 'author_id', 'title', 'body', 'format', 'visibility', 'revision', 'created_at', 'updated_at').whereIn('id', ids);
  return new Map(found.map((row) => [String(row.id), postRowOf(row)]));
}
