import { createHash } from 'node:crypto';
import type { Knex } from 'knex';
import type pg from 'pg';

const MARKER = '\u0001param:';
/** PostgreSQL's identifiers, statement names included (NAMEDATALEN - 1). */
const MAX_NAME_LENGTH = 63;

/** A value a prepared query takes at each run: put in the query builder where that value goes. */
export function param(name: string): string {
  return `${MARKER}${name}`;
}

type Slot = { param: string } | { constant: unknown };

/**
 * A knex query built and compiled once, then run as a named prepared
 * statement on the pool's connections: the query's shape stays written with
 * the query builder (so a rule such as who may read a post exists once),
 * while a hot path pays neither the building and compiling on every request
 * nor PostgreSQL's parsing and planning. Values that change per run are
 * `param('name')` markers in the builder; every other binding is a constant.
 */
export class PreparedQuery<Params extends Record<string, unknown>> {
  private readonly text: string;
  private readonly slots: readonly Slot[];

  private readonly name: string;

  /**
   * `prepare: false` runs the same text unnamed, planned on every run: for
   * shapes too rare to keep a statement for on every connection.
   */
  constructor(
    name: string,
    query: Knex.QueryBuilder | Knex.Raw,
    private readonly options: { prepare: boolean } = { prepare: true },
  ) {
    const { sql, bindings } = query.toSQL().toNative();
    this.text = sql;
    // One name, one text, on every connection: the text's hash keeps two shapes of a query apart.
    // PostgreSQL cuts names at 63 bytes: a longer one would meet another shape's under the cut.
    this.name = `${name.slice(0, MAX_NAME_LENGTH - 13)}_${createHash('sha256').update(sql).digest('hex').slice(0, 12)}`;
    this.slots = bindings.map((binding) =>
      typeof binding === 'string' && binding.startsWith(MARKER) ? { param: binding.slice(MARKER.length) } : { constant: binding },
    );
  }

  async rows<Row>(knex: Knex, params: Params): Promise<Row[]> {
    const values = this.slots.map((slot) => {
      if ('constant' in slot) return slot.constant;
      if (!(slot.param in params)) throw new Error(`prepared query ${this.name}: no value for ${slot.param}`);
      return params[slot.param];
    });
    const connection = (await knex.client.acquireConnection()) as pg.Client;
    try {
      const statement = this.options.prepare ? { name: this.name, text: this.text, values } : { text: this.text, values };
      const result = await connection.query<Row & pg.QueryResultRow>(statement);
      return result.rows;
    } finally {
      await knex.client.releaseConnection(connection);
    }
  }
}
