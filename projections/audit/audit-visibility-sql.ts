import type { Knex } from 'knex';
import { COLLECTION_CATEGORY } from '../../domain/collection/streams.js';
import { POST_CATEGORY } from '../../domain/post/streams.js';
import type { UserCaller } from '../../domain/shared/caller.js';
import { USER_CATEGORY } from '../../domain/user/streams.js';
import { COLLECTIONS } from '../collections/collections-read-model.js';
import { whereCollectionReadable, whereReadableByCaller } from '../posts/post-access-sql.js';
import { POSTS } from '../posts/post-row.js';

/**
 * Who reads the audit trail (CONTRACT.md section 3, "Audit"): an operator
 * reads all of it; anyone else is a user of a tenant, as content sees them.
 */
export type AuditReader = { type: 'operator' } | UserCaller;

/**
 * Narrows a query over `audit_events AS a` to the events the reader may
 * see. Operators: all. A tenant's admins: every event of their tenant.
 * Everyone: what they did themselves, their own user stream (their logins,
 * failed ones included), and the whole history of each post and collection
 * they may read now, by content's own read rule (post-access-sql.ts), so
 * the audit trail never shows more of a thing than its current readers get.
 */
export function whereAuditVisible(query: Knex.QueryBuilder, knex: Knex, reader: AuditReader, withCollections: boolean): Knex.QueryBuilder {
  if (reader.type === 'operator') return query;
  return query.where((visible) => {
    if (reader.admin) visible.where('a.tenant_id', reader.tenantId);
    visible.orWhere((own) => own.where('a.actor_type', 'user').andWhere('a.actor_id', reader.userId));
    visible.orWhere('a.stream', `${USER_CATEGORY}-${reader.userId}`);
    visible.orWhere((post) =>
      post
        .where('a.category', POST_CATEGORY)
        .whereExists(whereReadableByCaller(knex(`${POSTS} AS p`).select(knex.raw('1')).whereRaw('p.id = a.stream_id'), knex, reader, withCollections)),
    );
    if (withCollections) {
      visible.orWhere((collection) =>
        collection
          .where('a.category', COLLECTION_CATEGORY)
          .whereExists(whereCollectionReadable(knex(`${COLLECTIONS} AS c`).select(knex.raw('1')).whereRaw('c.id = a.stream_id'), reader)),
      );
    }
  });
}
