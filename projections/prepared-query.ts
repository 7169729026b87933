import { createHash } from 'node:crypto';
import type { Knex } from 'knex';
import type pg from 'pg';

const MARKER = '\u0001param:';

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

  constructor(name: string, query: Knex.QueryBuilder | Knex.Raw) {
    const { sql, bindings } = query.toSQL().toNative();
    this.text = sql;
    // One name, one text, on every connection: the text's hash keeps two shapes of a query apart.
    this.name = `${name}_${createHash('sha256').update(sql).digest('hex').slice(0, 12)}`;
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
      const result = await connection.query<Row & pg.QueryResultRow>({ name: this.name, text: this.text, values });
      return result.rows;
    } finally {
      await knex.client.releaseConnection(connection);
    }
  }
}
