import type { Knex } from 'knex';
import type { Caller, Visibility } from '../../domain/shared/caller.js';
import { ReadModelUnavailableError } from '../engine/errors.js';
import { keysetPage, type Page } from '../keyset-page.js';
import { COLLECTIONS } from '../collections/collections-read-model.js';
import { CollectionsPresence, whereCollectionReadable, whereReadableByCaller } from './post-access-sql.js';
import { POSTS, SEARCH_CONFIG, type PostRow } from './post-row.js';
import { POSTS_PROJECTION } from './posts-read-model.js';
import { param, PreparedQuery } from '../prepared-query.js';

/** What the post queries read: the posts read model, and the collections one once it exists. */
export interface PostReads {
  knex: Knex;
  collections: CollectionsPresence;
  findPost: FindPostQueries;
}

export function postReads(knex: Knex): PostReads {
  return { knex, collections: new CollectionsPresence(knex), findPost: new FindPostQueries(knex) };
}

export interface PostFilters {
  authorId?: string;
  /** Posts of this collection, if the caller may read it (none otherwise). */
  collectionId?: string;
  visibility?: Visibility;
  /** Full-text search over titles and bodies (web search syntax: `"exact phrase"`, `or`, `-without`). */
  q?: string;
}

/** The post if it exists and the caller may read it; undefined either way otherwise, so existence does not leak. */
export async function findReadablePost(reads: PostReads, caller: Caller, postId: string): Promise<PostRow | undefined> {
  const withCollections = await reads.collections.check();
  const query = reads.findPost.for(caller, withCollections);
  const [row] = await query.rows<Record<string, unknown>>(reads.knex, { postId, ...callerParams(caller) }).catch(unavailable);
  return row ? postRowOf(row) : undefined;
}

type FindPostParams = { postId: string; userId?: string; tenantId?: string };

/**
 * The query of findReadablePost, one prepared statement per kind of caller
 * (guest, user, admin, system; with or without collections): built by the
 * same rule as every other post query, compiled once.
 */
export class FindPostQueries {
  private readonly shapes = new Map<string, PreparedQuery<FindPostParams>>();

  constructor(private readonly knex: Knex) {}

  for(caller: Caller, withCollections: boolean): PreparedQuery<FindPostParams> {
    const shape = `${caller.type}${caller.type === 'user' && caller.admin ? '_admin' : ''}${withCollections ? '_c' : ''}`;
    let query = this.shapes.get(shape);
    if (!query) {
      const marked: Caller = caller.type === 'user' ? { ...caller, userId: param('userId'), tenantId: param('tenantId') } : caller;
      const builder = this.knex(`${POSTS} AS p`).select(POST_COLUMNS.map((column) => `p.${column}`)).where('p.id', param('postId'));
      query = new PreparedQuery(`find_post_${shape}`, whereReadableByCaller(builder, this.knex, marked, withCollections).limit(1));
      this.shapes.set(shape, query);
    }
    return query;
  }
}

function callerParams(caller: Caller): Omit<FindPostParams, 'postId'> {
  return caller.type === 'user' ? { userId: caller.userId, tenantId: caller.tenantId } : {};
}

/** Readable posts, newest first (then by id), narrowed by the filters, a page at a time. */
export async function listReadablePosts(reads: PostReads, caller: Caller, filters: PostFilters, page: { limit: number; cursor?: string }): Promise<Page<PostRow>> {
  const { knex } = reads;
  const withCollections = await reads.collections.check();
  if (filters.collectionId !== undefined && !withCollections) return { items: [], nextCursor: null };
  const query = whereReadableByCaller(knex(`${POSTS} AS p`).select(POST_COLUMNS.map((column) => `p.${column}`)), knex, caller, withCollections);
  if (filters.authorId !== undefined) query.andWhere('p.author_id', filters.authorId);
  if (filters.visibility !== undefined) query.andWhere('p.visibility', filters.visibility);
  if (filters.q !== undefined) query.andWhereRaw(`p.search @@ websearch_to_tsquery('${SEARCH_CONFIG}', ?)`, [filters.q]);
  if (filters.collectionId !== undefined) {
    const holding = whereCollectionReadable(knex(`${COLLECTIONS} AS c`).select(knex.raw('1')).where('c.id', filters.collectionId), caller);
    query.whereExists(holding.whereRaw('c.post_ids @> ARRAY[p.id]::text[]'));
  }
  const found = await keysetPage<Record<string, unknown>>(query, { orderBy: NEWEST_FIRST, cursor: page.cursor, limit: page.limit }).catch(unavailable);
  return { items: found.items.map(postRowOf), nextCursor: found.nextCursor };
}

const NEWEST_FIRST = [['created_at', 'desc'], ['id', 'desc']] as const;

const POST_COLUMNS: readonly (keyof PostRow)[] = ['id', 'tenant_id', 'author_id', 'title', 'body', 'format', 'visibility', 'revision', 'created_at', 'updated_at'];

/** A row as the driver returns it (timestamps as Dates, int8 as text), in the shape evolve writes. */
export function postRowOf(row: Record<string, unknown>): PostRow {
  const text = (value: unknown) => (value instanceof Date ? value.toISOString() : String(value));
  return {
    id: text(row.id),
    tenant_id: text(row.tenant_id),
    author_id: text(row.author_id),
    title: text(row.title),
    body: text(row.body),
    format: row.format as PostRow['format'],
    visibility: row.visibility as PostRow['visibility'],
    revision: text(row.revision),
    created_at: text(row.created_at),
    updated_at: text(row.updated_at),
  };
}

function unavailable(error: unknown): never {
  throw ReadModelUnavailableError.translate(POSTS_PROJECTION, error);
}
