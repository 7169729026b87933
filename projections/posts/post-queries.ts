import type { Knex } from 'knex';
import type { Caller, Visibility } from '../../domain/shared/caller.js';
import { ReadModelUnavailableError } from '../engine/errors.js';
import type { Page } from '../keyset-page.js';
import { PreparedKeysetPage } from '../prepared-keyset-page.js';
import { PreparedShapes } from '../prepared-shapes.js';
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
  listPosts: ListPostQueries;
}

export function postReads(knex: Knex): PostReads {
  return { knex, collections: new CollectionsPresence(knex), findPost: new FindPostQueries(knex), listPosts: new ListPostQueries(knex) };
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
    const shape = `${callerShape(caller)}${withCollections ? '_c' : ''}`;
    let query = this.shapes.get(shape);
    if (!query) {
      const marked = markedCaller(caller);
      const builder = this.knex(`${POSTS} AS p`).select(answeredColumns(this.knex)).where('p.id', param('postId'));
      query = new PreparedQuery(`find_post_${shape}`, whereReadableByCaller(builder, this.knex, marked, withCollections).limit(1));
      this.shapes.set(shape, query);
    }
    return query;
  }
}

function callerParams(caller: Caller): { userId?: string; tenantId?: string } {
  return caller.type === 'user' ? { userId: caller.userId, tenantId: caller.tenantId } : {};
}

/** The kind of caller, as far as the read rule's SQL differs: guest, user, a tenant's admin, system. */
function callerShape(caller: Caller): string {
  return `${caller.type}${caller.type === 'user' && caller.admin ? '_admin' : ''}`;
}

/** The caller with markers for the values that differ between callers of one kind. */
function markedCaller(caller: Caller): Caller {
  return caller.type === 'user' ? { ...caller, userId: param('userId'), tenantId: param('tenantId') } : caller;
}

/** Readable posts, newest first (then by id), narrowed by the filters, a page at a time. */
export async function listReadablePosts(reads: PostReads, caller: Caller, filters: PostFilters, page: { limit: number; cursor?: string }): Promise<Page<PostRow>> {
  const withCollections = await reads.collections.check();
  if (filters.collectionId !== undefined && !withCollections) return { items: [], nextCursor: null };
  const query = reads.listPosts.for(caller, withCollections, filters, page.limit);
  const params: ListPostsParams = { ...callerParams(caller), authorId: filters.authorId, collectionId: filters.collectionId, q: filters.q };
  return query.page(reads.knex, params, page.cursor, postRowOf).catch(unavailable);
}

type ListPostsParams = { userId?: string; tenantId?: string; authorId?: string | undefined; collectionId?: string | undefined; q?: string | undefined };

/** Shapes of the list kept prepared per process; the usual lists are a handful (README, Benchmarks). */
const LIST_SHAPES_KEPT = 64;

/**
 * The query of listReadablePosts, compiled once per shape (kind of caller,
 * collections present, which filters, the visibility asked for, page size)
 * and run as prepared statements, as FindPostQueries; built by the same
 * read rule. Visibility is part of the shape, not a value, so a generic plan
 * still uses the index of public posts.
 */
export class ListPostQueries {
  private readonly shapes = new PreparedShapes<PreparedKeysetPage<ListPostsParams>>(LIST_SHAPES_KEPT);

  constructor(private readonly knex: Knex) {}

  for(caller: Caller, withCollections: boolean, filters: PostFilters, limit: number): PreparedKeysetPage<ListPostsParams> {
    const given = (name: keyof PostFilters) => (filters[name] === undefined ? '' : `_${name}`);
    const shape = `${callerShape(caller)}${withCollections ? '_c' : ''}${given('authorId')}${given('collectionId')}${given('q')}_${filters.visibility ?? 'any'}_${limit}`;
    return this.shapes.get(shape, (prepare) => {
      const { knex } = this;
      const marked = markedCaller(caller);
      const query = whereReadableByCaller(knex(`${POSTS} AS p`).select(listedColumns(knex)), knex, marked, withCollections);
      if (filters.authorId !== undefined) query.andWhere('p.author_id', param('authorId'));
      if (filters.visibility !== undefined) query.andWhere('p.visibility', filters.visibility);
      if (filters.q !== undefined) query.andWhereRaw(`p.search @@ websearch_to_tsquery('${SEARCH_CONFIG}', ?)`, [param('q')]);
      if (filters.collectionId !== undefined) {
        const holding = whereCollectionReadable(knex(`${COLLECTIONS} AS c`).select(knex.raw('1')).where('c.id', param('collectionId')), marked);
        query.whereExists(holding.whereRaw('c.post_ids @> ARRAY[p.id]::text[]'));
      }
      return new PreparedKeysetPage(`list_posts_${shape}`, query, NEWEST_FIRST, limit, { prepare, columns: LIST_COLUMNS });
    });
  }
}

const NEWEST_FIRST = [['created_at', 'desc'], ['id', 'desc']] as const;

const TEXT_COLUMNS = ['id', 'tenant_id', 'author_id', 'title', 'body', 'format', 'visibility', 'revision'] as const satisfies readonly (keyof PostRow)[];

/** What a list's page answers, by PostRow's names: the creation time as the text the query made of it. */
const LIST_COLUMNS: Readonly<Record<keyof PostRow, string>> = {
  ...(Object.fromEntries(TEXT_COLUMNS.map((column) => [column, column])) as Record<(typeof TEXT_COLUMNS)[number], string>),
  created_at: 'created_at_text',
  updated_at: 'updated_at',
};

/**
 * The post's columns as a post query answers them: timestamps as the text
 * evolve writes (an ISO 8601 instant in UTC, to the millisecond, as
 * `Date.toISOString`), made by PostgreSQL, so the driver neither parses them
 * into Dates nor does anything format them back, twenty times a page.
 */
function answeredColumns(knex: Knex): Array<string | Knex.Raw> {
  return [...TEXT_COLUMNS.map((column) => `p.${column}`), isoText(knex, 'created_at', 'created_at'), isoText(knex, 'updated_at', 'updated_at')];
}

/** answeredColumns for a list: the creation time also as the timestamp it is, which the list is ordered by (LIST_COLUMNS answers the text). */
function listedColumns(knex: Knex): Array<string | Knex.Raw> {
  return [...TEXT_COLUMNS.map((column) => `p.${column}`), 'p.created_at', isoText(knex, 'created_at', 'created_at_text'), isoText(knex, 'updated_at', 'updated_at')];
}

function isoText(knex: Knex, column: 'created_at' | 'updated_at', as: string): Knex.Raw {
  return knex.raw(`to_char(p.${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS ${as}`);
}

/** A row as a post query answers it (every column text: int8 as the driver gives it, timestamps as answeredColumns makes them). */
export function postRowOf(row: Record<string, unknown>): PostRow {
  return {
    id: row.id as string,
    tenant_id: row.tenant_id as string,
    author_id: row.author_id as string,
    title: row.title as string,
    body: row.body as string,
    format: row.format as PostRow['format'],
    visibility: row.visibility as PostRow['visibility'],
    revision: row.revision as string,
    created_at: row.created_at as string,
    updated_at: row.updated_at as string,
  };
}

function unavailable(error: unknown): never {
  throw ReadModelUnavailableError.translate(POSTS_PROJECTION, error);
}
