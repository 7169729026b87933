import type { Knex } from 'knex';
import { collectionEventSchema } from '../../domain/collection/events.js';
import { COLLECTION_CATEGORY, collectionIdOf } from '../../domain/collection/streams.js';
import type { RecordedEvent } from '../../infra/event-store/event-store.js';
import type { Projection, ProjectionTables } from '../projection.js';

export const POST_REMOVALS = 'collection_post_removals';
/** Which post is in which collection, as far as removals need it. */
export const POST_LINKS = 'collection_post_links';
export const DELETED_POSTS = 'collection_deleted_posts';
/** Removals the reactor still has to append: one per collection and deleted post. */
export const REMOVALS_DUE = 'collection_post_removals_due';
type Table = typeof POST_LINKS | typeof DELETED_POSTS | typeof REMOVALS_DUE;

const POST_PREFIX = 'post-';
const POST_DELETED = 'PostDeleted';

/** A removal the reactor owes: the deletion that causes it, and the key its event id is derived from. */
export interface RemovalDueRow {
  collection_id: string;
  post_id: string;
  tenant_id: string | null;
  deletion_event_id: string;
  correlation_id: string;
  /** With the deletion's event id, names the removal's event id: the collection, plus the late add when there was one. */
  reaction_key: string;
  due_position: string;
}

/**
 * The half of "deleting a post takes it out of every collection" that must
 * be exactly once with the log: in log order, it keeps which posts are in
 * which collection and writes, in the transaction of its checkpoint, one row
 * per removal owed (a PostDeleted for a post in collections, or a post added
 * after its deletion was recorded). The row goes when the collection's stream
 * records the post's removal (or the collection's deletion). The reactor
 * (post-removal-reactor.ts) appends the removals with deterministic ids, so
 * a crash, a retry or a second worker appends nothing twice.
 */
export function postRemovalsDueProjection(): Projection<Table> {
  return {
    name: POST_REMOVALS,
    version: 1,
    filter: {
      streamPrefixes: [POST_PREFIX, `${COLLECTION_CATEGORY}-`],
      eventTypes: [POST_DELETED, 'PostAddedToCollection', 'PostRemovedFromCollection', 'CollectionDeleted'],
    },
    tables: [POST_LINKS, DELETED_POSTS, REMOVALS_DUE],
    async setup(trx, tables) {
      await trx.raw(`
        CREATE TABLE "${tables[POST_LINKS]}" (
          post_id text NOT NULL,
          collection_id text NOT NULL,
          PRIMARY KEY (post_id, collection_id)
        );
        CREATE INDEX "${tables[POST_LINKS]}_collection_idx" ON "${tables[POST_LINKS]}" (collection_id);
        CREATE TABLE "${tables[DELETED_POSTS]}" (
          post_id text PRIMARY KEY,
          deletion_event_id text NOT NULL,
          correlation_id text NOT NULL,
          tenant_id text
        );
        CREATE TABLE "${tables[REMOVALS_DUE]}" (
          collection_id text NOT NULL,
          post_id text NOT NULL,
          tenant_id text,
          deletion_event_id text NOT NULL,
          correlation_id text NOT NULL,
          reaction_key text NOT NULL,
          due_position numeric(40,0) NOT NULL,
          PRIMARY KEY (collection_id, post_id)
        );
        CREATE INDEX "${tables[REMOVALS_DUE]}_due_idx" ON "${tables[REMOVALS_DUE]}" (due_position);`);
    },
    async apply(events, trx, tables) {
      // Removals are rare beside the rest of the log; one or two statements per event keeps the order obvious.
      for (const event of events) await applyOne(event, trx, tables);
    },
  };
}

async function applyOne(event: RecordedEvent, trx: Knex.Transaction, tables: ProjectionTables<Table>): Promise<void> {
  const links = tables[POST_LINKS];
  const deleted = tables[DELETED_POSTS];
  const due = tables[REMOVALS_DUE];
  if (event.type === POST_DELETED) {
    if (!event.stream.startsWith(POST_PREFIX)) return;
    const postId = event.stream.slice(POST_PREFIX.length);
    const { correlationId, tenantId } = deletionMetadata(event);
    await trx.raw(
      `INSERT INTO "${deleted}" (post_id, deletion_event_id, correlation_id, tenant_id) VALUES (?, ?, ?, ?) ON CONFLICT (post_id) DO NOTHING`,
      [postId, event.id, correlationId, tenantId],
    );
    await trx.raw(
      `INSERT INTO "${due}" (collection_id, post_id, tenant_id, deletion_event_id, correlation_id, reaction_key, due_position)
       SELECT collection_id, post_id, ?, ?, ?, collection_id, ? FROM "${links}" WHERE post_id = ?
       ON CONFLICT (collection_id, post_id) DO NOTHING`,
      [tenantId, event.id, correlationId, String(event.position), postId],
    );
    await trx.raw(`DELETE FROM "${links}" WHERE post_id = ?`, [postId]);
    return;
  }
  const collectionId = collectionIdOf(event.stream);
  if (collectionId === undefined) return;
  const parsed = collectionEventSchema.parse({ type: event.type, data: event.data });
  switch (parsed.type) {
    case 'PostAddedToCollection': {
      const { postId } = parsed.data;
      // Added after its deletion was recorded (the add was decided before): owed a removal of its own.
      const late = await trx.raw<{ rowCount: number }>(
        `INSERT INTO "${due}" (collection_id, post_id, tenant_id, deletion_event_id, correlation_id, reaction_key, due_position)
         SELECT ?, post_id, tenant_id, deletion_event_id, correlation_id, ?, ? FROM "${deleted}" WHERE post_id = ?
         ON CONFLICT (collection_id, post_id) DO NOTHING`,
        [collectionId, `${collectionId}/${event.id}`, String(event.position), postId],
      );
      if (late.rowCount === 0) {
        await trx.raw(`INSERT INTO "${links}" (post_id, collection_id) VALUES (?, ?) ON CONFLICT DO NOTHING`, [postId, collectionId]);
      }
      return;
    }
    case 'PostRemovedFromCollection':
      await trx.raw(`DELETE FROM "${links}" WHERE post_id = ? AND collection_id = ?`, [parsed.data.postId, collectionId]);
      await trx.raw(`DELETE FROM "${due}" WHERE post_id = ? AND collection_id = ?`, [parsed.data.postId, collectionId]);
      return;
    case 'CollectionDeleted':
      await trx.raw(`DELETE FROM "${links}" WHERE collection_id = ?`, [collectionId]);
      await trx.raw(`DELETE FROM "${due}" WHERE collection_id = ?`, [collectionId]);
      return;
    default:
      return;
  }
}

/** What the removals carry over from the deletion: its correlation (the user's command) and its tenant. */
function deletionMetadata(event: RecordedEvent): { correlationId: string; tenantId: string | null } {
  const { correlationId, tenantId } = event.metadata;
  return {
    correlationId: typeof correlationId === 'string' && correlationId.length > 0 ? correlationId : event.id,
    tenantId: typeof tenantId === 'string' ? tenantId : null,
  };
}
