import { createHash } from 'node:crypto';
import type { Knex } from 'knex';

export type SortDirection = 'asc' | 'desc';

/**
 * The order of a list, most significant column first; the last column must
 * be unique (an id), so the order is total and no row sits between pages.
 * Columns must be NOT NULL.
 */
export type KeysetOrder = ReadonlyArray<readonly [column: string, direction: SortDirection]>;

export interface KeysetPageOptions {
  orderBy: KeysetOrder;
  /** The `nextCursor` of the previous page as the client sent it; absent for the first page. */
  cursor?: string | undefined;
  limit: number;
}

/** What a list request asks for: the page size and where the previous page ended. */
export interface PageRequest {
  limit: number;
  /** The previous page's `nextCursor`, as the client sent it. */
  cursor?: string;
}

export interface Page<Item> {
  items: Item[];
  /** Pass back as `cursor` for the next page; null on the last page. */
  nextCursor: string | null;
}

/** A cursor this API did not give out for this list (or one tampered with): the client's mistake, 400 invalid_query. */
export class InvalidCursorError extends Error {
  override readonly name = 'InvalidCursorError';
  constructor() {
    super('cursor is not one this API gave out for this list');
  }
}

/** A row ended a page with a NULL in a sort column: the list's order is declared wrongly (a bug, not the client's). */
export class KeysetNullSortKeyError extends Error {
  override readonly name = 'KeysetNullSortKeyError';
  constructor(readonly column: string) {
    super(`keyset pagination: sort column ${column} is NULL; sort columns must be NOT NULL`);
  }
}

const COLUMN = /^[a-z_][a-z0-9_]*$/;
const CURSOR_TEXT = /^[A-Za-z0-9_-]{1,1000}$/;
const MAX_KEY_LENGTH = 200;
const KEY_ALIAS = '__keyset_';

/**
 * One page of `query` (the list's rows: filtered, not ordered, not limited)
 * in `orderBy`, after the cursor's row. A cursor holds the sort keys of the
 * last row served, as PostgreSQL prints them (text, so a timestamp keeps its
 * microseconds), and is compared by value: rows added or removed between two
 * requests never make a page repeat or skip another row. One query, reading
 * `limit + 1` rows to know whether a next page exists.
 */
export async function keysetPage<Row extends object>(query: Knex.QueryBuilder, options: KeysetPageOptions): Promise<Page<Row>> {
  const { orderBy, limit } = options;
  checkOrder(orderBy);
  const after = options.cursor === undefined ? undefined : decodeCursor(options.cursor, orderBy);
  const page = keysetPageQuery(query, orderBy, { ...(after ? { after } : {}), limit: limit + 1 });
  const rows = await runPage(async () => (await page).rows as Array<Record<string, unknown>>, after !== undefined);
  return pageOf<Row>(rows, orderBy, limit);
}

/**
 * The columns a page answers, by name, each taken from a column of the
 * list's query: `{ created_at: 'created_at_text' }` answers the query's
 * `created_at_text` as `created_at`. A list can so order by a column it does
 * not answer as is (a timestamp, answered as text its client need not parse).
 */
export type PageColumns = Readonly<Record<string, string>>;

export interface KeysetPageQueryOptions {
  /** The last row's sort keys of the previous page (bindings: values, or prepared-query markers). */
  after?: readonly unknown[];
  limit: number;
  /** The columns answered; every column of the query unless told. */
  columns?: PageColumns;
}

/**
 * The SQL of one page of `query` in `orderBy`: the list as a subquery
 * (PostgreSQL pulls it up, so its indexes still serve the order), its sort
 * keys as text beside each row, after `after`'s keys if given, `limit` rows.
 * The limit is written into the text: as a parameter, PostgreSQL's generic
 * plan of a prepared page would assume a tenth of the table, and it would
 * plan every run.
 */
export function keysetPageQuery(query: Knex.QueryBuilder, orderBy: KeysetOrder, options: KeysetPageQueryOptions): Knex.Raw {
  checkOrder(orderBy);
  if (!Number.isSafeInteger(options.limit) || options.limit < 1) throw new Error(`keyset pagination: bad limit ${options.limit}`);
  const keys = orderBy.map(([column], i) => `page.${quoted(column)}::text AS ${quoted(KEY_ALIAS + i)}`).join(', ');
  const [where, whereBindings] = options.after ? afterCondition(orderBy, options.after) : ['', []];
  const order = orderBy.map(([column, direction]) => `page.${quoted(column)} ${direction}`).join(', ');
  const sql = `SELECT ${selectList(options.columns)}, ${keys} FROM ? AS page${where ? ` WHERE ${where}` : ''} ORDER BY ${order} LIMIT ${options.limit}`;
  return query.client.raw(sql, [query, ...whereBindings]) as Knex.Raw;
}

function selectList(columns: PageColumns | undefined): string {
  if (columns === undefined) return 'page.*';
  const entries = Object.entries(columns);
  if (entries.length === 0) throw new Error('keyset pagination: a page answers at least one column');
  return entries
    .map(([name, column]) => {
      if (!COLUMN.test(name) || !COLUMN.test(column) || name.startsWith(KEY_ALIAS)) throw new Error(`keyset pagination: bad column ${JSON.stringify(name)} from ${JSON.stringify(column)}`);
      return name === column ? `page.${quoted(column)}` : `page.${quoted(column)} AS ${quoted(name)}`;
    })
    .join(', ');
}

/** The cursor's sort keys, checked to belong to a list in `orderBy` (InvalidCursorError otherwise). */
export function cursorKeys(cursor: string, orderBy: KeysetOrder): string[] {
  return decodeCursor(cursor, orderBy);
}

/** Runs a page's query; a crafted cursor's key that does not parse as its column's type is the client's mistake. */
export async function runPage<T>(run: () => Promise<T>, afterCursor: boolean): Promise<T> {
  try {
    return await run();
  } catch (error) {
    // Class 22 (data exception): a crafted cursor's key did not parse as its column's type.
    if (afterCursor && isDataException(error)) throw new InvalidCursorError();
    throw error;
  }
}

/**
 * A page of `limit` items from the `limit + 1` rows of keysetPageQuery, with
 * the cursor of its last row if more follow. `item` makes each item of a row
 * (reading its columns, not the sort keys beside them); without it, an item
 * is the row without its sort keys.
 */
export function pageOf<Row extends object>(
  rows: ReadonlyArray<Record<string, unknown>>,
  orderBy: KeysetOrder,
  limit: number,
  item: (row: Record<string, unknown>) => Row = withoutKeys as (row: Record<string, unknown>) => Row,
): Page<Row> {
  const served = rows.slice(0, limit);
  const last = served.at(-1);
  const nextCursor = rows.length > limit && last ? encodeCursor(orderBy, orderBy.map(([column], i) => keyOf(last, column, i))) : null;
  return { items: served.map((row) => item(row)), nextCursor };
}

/** Whether the text has the shape of a cursor at all (the query schema's check); keysetPage checks it belongs to the list. */
export function looksLikeCursor(cursor: string): boolean {
  return CURSOR_TEXT.test(cursor) && decodeKeys(cursor) !== undefined;
}

function checkOrder(orderBy: KeysetOrder): void {
  if (orderBy.length === 0) throw new Error('keyset pagination needs at least one sort column');
  for (const [column, direction] of orderBy) {
    if (!COLUMN.test(column) || (direction !== 'asc' && direction !== 'desc')) throw new Error(`keyset pagination: bad sort column ${JSON.stringify(column)} ${direction}`);
  }
}

/**
 * All columns one way: a row comparison, which a composite index answers
 * directly. Mixed directions: the expanded form, one term per column.
 */
function afterCondition(orderBy: KeysetOrder, keys: readonly unknown[]): [string, unknown[]] {
  const comparison = (direction: SortDirection) => (direction === 'desc' ? '<' : '>');
  if (orderBy.every(([, direction]) => direction === orderBy[0]![1])) {
    const columns = orderBy.map(([column]) => `page.${quoted(column)}`).join(', ');
    return [`(${columns}) ${comparison(orderBy[0]![1])} (${keys.map(() => '?').join(', ')})`, [...keys]];
  }
  const terms: string[] = [];
  const bindings: unknown[] = [];
  orderBy.forEach(([column, direction], i) => {
    const equal = orderBy.slice(0, i).map(([earlier]) => `page.${quoted(earlier)} = ?`);
    terms.push(`(${[...equal, `page.${quoted(column)} ${comparison(direction)} ?`].join(' AND ')})`);
    bindings.push(...keys.slice(0, i + 1));
  });
  return [`(${terms.join(' OR ')})`, bindings];
}

function keyOf(row: Record<string, unknown>, column: string, i: number): string {
  const key = row[KEY_ALIAS + i];
  if (key === null || key === undefined) throw new KeysetNullSortKeyError(column);
  return String(key);
}

function withoutKeys(row: Record<string, unknown>): Record<string, unknown> {
  const item: Record<string, unknown> = {};
  for (const name in row) if (!name.startsWith(KEY_ALIAS)) item[name] = row[name];
  return item;
}

/** Orders are constants of their lists: each one's fingerprint is hashed once. */
const fingerprints = new WeakMap<KeysetOrder, string>();

/** Ties a cursor to the order it was made for: a cursor of another list's order is not ours. */
function fingerprint(orderBy: KeysetOrder): string {
  let found = fingerprints.get(orderBy);
  if (found === undefined) {
    found = createHash('sha256').update(`keyset1:${orderBy.map(([column, direction]) => `${column} ${direction}`).join(',')}`).digest('base64url').slice(0, 10);
    fingerprints.set(orderBy, found);
  }
  return found;
}

function encodeCursor(orderBy: KeysetOrder, keys: readonly string[]): string {
  return Buffer.from(JSON.stringify([fingerprint(orderBy), ...keys]), 'utf8').toString('base64url');
}

function decodeKeys(cursor: string): string[] | undefined {
  if (!CURSOR_TEXT.test(cursor)) return undefined;
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  if (!Array.isArray(decoded) || decoded.length < 2) return undefined;
  if (!decoded.every((key): key is string => typeof key === 'string' && key.length <= MAX_KEY_LENGTH && !key.includes('\u0000'))) return undefined;
  // Only the exact text we would have written: no second spelling of the same cursor.
  return Buffer.from(JSON.stringify(decoded), 'utf8').toString('base64url') === cursor ? decoded : undefined;
}

function decodeCursor(cursor: string, orderBy: KeysetOrder): string[] {
  const decoded = decodeKeys(cursor);
  if (!decoded || decoded.length !== orderBy.length + 1 || decoded[0] !== fingerprint(orderBy)) throw new InvalidCursorError();
  return decoded.slice(1);
}

function isDataException(error: unknown): boolean {
  return typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string' && error.code.startsWith('22');
}

function quoted(identifier: string): string {
  return `"${identifier.replace(/"/g, '""')}"`;
}
