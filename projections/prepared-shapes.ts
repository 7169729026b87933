/**
 * The prepared queries of one list or lookup, one per shape (the kind of
 * caller, which filters are given...), made on first use. A named statement
 * stays prepared on every pool connection that ran it, so only the first
 * `max` shapes are kept and prepared: a client cycling through rare shapes
 * gets them built for its one run and planned unnamed, as before, rather
 * than filling the server's memory with statements.
 */
export class PreparedShapes<Query> {
  private readonly kept = new Map<string, Query>();

  constructor(private readonly max: number) {}

  get(shape: string, make: (prepare: boolean) => Query): Query {
    const found = this.kept.get(shape);
    if (found) return found;
    if (this.kept.size >= this.max) return make(false);
    const query = make(true);
    this.kept.set(shape, query);
    return query;
  }

  /** How many shapes are kept (prepared). */
  get size(): number {
    return this.kept.size;
  }
}
