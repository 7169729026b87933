import type { Knex } from 'knex';
import type { AnyProjection, ProjectionTables } from '../projection.js';

/** `<base>__v<version>_g<generation>`: generations never repeat, so names never collide. */
export function physicalTables(projection: AnyProjection, version: number, generation: number): ProjectionTables {
  return Object.fromEntries(projection.tables.map((base) => [base, `${base}__v${version}_g${generation}`]));
}

function quote(identifier: string): string {
  return `"${identifier.replace(/"/g, '""')}"`;
}

/** Points each base-name view at the given generation; queries only ever use the views. */
export async function pointViewsAt(trx: Knex.Transaction, projection: AnyProjection, tables: ProjectionTables): Promise<void> {
  for (const base of projection.tables) {
    const existing = await trx.raw<{ rows: { relkind: string }[] }>(
      `SELECT c.relkind FROM pg_class c WHERE c.relname = ? AND c.relnamespace = current_schema()::regnamespace`,
      [base],
    );
    const kind = existing.rows[0]?.relkind;
    if (kind !== undefined && kind !== 'v') throw new Error(`${base} exists and is not a view: the projection ${projection.name} cannot own it`);
    // DROP + CREATE rather than CREATE OR REPLACE: a new version may change the columns.
    await trx.raw(`DROP VIEW IF EXISTS ${quote(base)}`);
    await trx.raw(`CREATE VIEW ${quote(base)} AS SELECT * FROM ${quote(tables[base]!)}`);
  }
}

/** Drops this projection's physical tables except the generations still in use. */
export async function dropUnusedGenerations(knex: Knex, projection: AnyProjection, keep: readonly ProjectionTables[]): Promise<string[]> {
  const kept = new Set(keep.flatMap((tables) => Object.values(tables)));
  const dropped: string[] = [];
  for (const base of projection.tables) {
    const { rows } = await knex.raw<{ rows: { relname: string }[] }>(
      `SELECT relname FROM pg_class WHERE relkind = 'r' AND relnamespace = current_schema()::regnamespace AND relname LIKE ?`,
      [`${base.replace(/_/g, '\\_')}\\_\\_v%\\_g%`],
    );
    for (const { relname } of rows) {
      if (kept.has(relname) || !new RegExp(`^${base}__v\\d+_g\\d+$`).test(relname)) continue;
      await knex.raw(`DROP TABLE IF EXISTS ${quote(relname)}`);
      dropped.push(relname);
    }
  }
  return dropped;
}
