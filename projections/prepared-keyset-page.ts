import type { Knex } from 'knex';
import { cursorKeys, keysetPageQuery, pageOf, runPage, type KeysetOrder, type Page, type PageColumns } from './keyset-page.js';
import { param, PreparedQuery } from './prepared-query.js';

const CURSOR_KEY = (i: number): string => `__cursor_${i}`;

export interface PreparedKeysetPageOptions {
  /** false: run unnamed, planned every run (prepared-query.ts). */
  prepare: boolean;
  /** The columns a page answers (keysetPageQuery); every column of the query unless told. */
  columns?: PageColumns;
}

/**
 * keysetPage for one shape of a list, compiled once and run as prepared
 * statements (prepared-query.ts): one for first pages, one for the pages
 * after a cursor, whose keys are values. The page size is part of the
 * statement (keysetPageQuery writes it into the text).
 */
export class PreparedKeysetPage<Params extends Record<string, unknown>> {
  private readonly first: PreparedQuery<Params>;
  private readonly next: PreparedQuery<Params & Record<string, string>>;

  constructor(
    name: string,
    query: Knex.QueryBuilder,
    private readonly orderBy: KeysetOrder,
    private readonly limit: number,
    options: PreparedKeysetPageOptions = { prepare: true },
  ) {
    const limitRows = limit + 1;
    const columns = options.columns ? { columns: options.columns } : {};
    const run = { prepare: options.prepare };
    this.first = new PreparedQuery(`${name}_first`, keysetPageQuery(query, orderBy, { limit: limitRows, ...columns }), run);
    const after = orderBy.map((_, i) => param(CURSOR_KEY(i)));
    this.next = new PreparedQuery(`${name}_next`, keysetPageQuery(query, orderBy, { after, limit: limitRows, ...columns }), run);
  }

  /**
   * The page after `cursor` (the first without one); a cursor not given out
   * for this order is InvalidCursorError. `item` makes each item of a row
   * (pageOf); the row without its sort keys unless told.
   */
  async page<Row extends object>(knex: Knex, params: Params, cursor: string | undefined, item?: (row: Record<string, unknown>) => Row): Promise<Page<Row>> {
    if (cursor === undefined) return pageOf<Row>(await this.first.rows<Record<string, unknown>>(knex, params), this.orderBy, this.limit, item);
    const keys = Object.fromEntries(cursorKeys(cursor, this.orderBy).map((key, i) => [CURSOR_KEY(i), key]));
    const rows = await runPage(() => this.next.rows<Record<string, unknown>>(knex, { ...params, ...keys }), true);
    return pageOf<Row>(rows, this.orderBy, this.limit, item);
  }
}
