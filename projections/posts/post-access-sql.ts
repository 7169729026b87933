import type { Knex } from 'knex';
import type { Caller } from '../../domain/shared/caller.js';
import { COLLECTIONS } from '../collections/collections-read-model.js';

/**
 * Narrows a query over `posts AS p` to the posts the caller may read (the
 * SQL twin of domain/post/access.ts, plus collections): public ones; in its
 * tenant, its author's and, for the tenant's admins, all; and those held by
 * a collection the caller may read. A post and a collection of different
 * tenants never meet, so only collections of the post's tenant count.
 */
export function whereReadableByCaller(query: Knex.QueryBuilder, knex: Knex, caller: Caller, withCollections: boolean): Knex.QueryBuilder {
  if (caller.type === 'system') return query;
  return query.where((readable) => {
    readable.where('p.visibility', 'public');
    if (caller.type === 'user') {
      readable.orWhere((own) => {
        own.where('p.tenant_id', caller.tenantId);
        if (!caller.admin) own.andWhere('p.author_id', caller.userId);
      });
    }
    if (withCollections) {
      readable.orWhereExists(whereCollectionReadable(knex(`${COLLECTIONS} AS c`).select(knex.raw('1')), caller).whereRaw('c.post_ids @> ARRAY[p.id]::text[]').andWhereRaw('c.tenant_id = p.tenant_id'));
    }
  });
}

/**
 * Narrows a query over `collections AS c` to those the caller may read:
 * public ones; in its tenant, the owner's, its members' and, for the
 * tenant's admins, all.
 */
export function whereCollectionReadable(query: Knex.QueryBuilder, caller: Caller): Knex.QueryBuilder {
  if (caller.type === 'system') return query;
  return query.where((readable) => {
    readable.where('c.visibility', 'public');
    if (caller.type === 'user') {
      readable.orWhere((inTenant) => {
        inTenant.where('c.tenant_id', caller.tenantId);
        if (caller.admin) return;
        inTenant.andWhere((member) => {
          member
            .where('c.owner_id', caller.userId)
            .orWhereRaw('c.editor_ids @> ARRAY[?]::text[]', [caller.userId])
            .orWhereRaw('c.viewer_ids @> ARRAY[?]::text[]', [caller.userId]);
        });
      });
    }
  });
}

/**
 * Whether the collections read model exists yet: it is built by another
 * projection, and until it is, posts are readable without it (public, own,
 * admin) instead of failing. Once seen it is assumed to stay.
 */
export class CollectionsPresence {
  private present = false;

  constructor(private readonly knex: Knex) {}

  async check(): Promise<boolean> {
    if (this.present) return true;
    const result = await this.knex.raw<{ rows: Array<{ present: boolean }> }>('SELECT to_regclass(?) IS NOT NULL AS present', [COLLECTIONS]);
    this.present = result.rows[0]?.present === true;
    return this.present;
  }
}
