import type { Knex } from 'knex';
import type { AnyProjection, ProjectionTables } from '../projection.js';

/**
 * `<base>__v<version>_g<generation>`: generations never repeat, so names never
 * collide. Qualified (`warehouse.facts__v1_g2`) when the projection has a schema.
 */
export function physicalTables(projection: AnyProjection, version: number, generation: number): ProjectionTables {
  return Object.fromEntries(projection.tables.map((base) => [base, qualified(projection, `${base}__v${version}_g${generation}`)]));
}

/** The name queries use for one of a projection's tables: its view, qualified when the projection has a schema. */
export function viewName(projection: AnyProjection, base: string): string {
  return qualified(projection, base);
}

function qualified(projection: AnyProjection, name: string): string {
  return projection.schema === undefined ? name : `${projection.schema}.${name}`;
}

/** A table name as SQL: each part of a qualified name quoted on its own. */
export function quoteTable(name: string): string {
  return name
    .split('.')
    .map((part) => `"${part.replace(/"/g, '""')}"`)
    .join('.');
}

/** The schema's oid as SQL, for catalogue lookups (the name is checked by validateProjections). */
function namespaceOf(projection: AnyProjection): string {
  return projection.schema === undefined ? 'current_schema()::regnamespace' : `(SELECT oid FROM pg_namespace WHERE nspname = '${projection.schema}')`;
}

/**
 * Creates the projection's own schema, if it has one, before its tables.
 * Serialised by a lock: CREATE SCHEMA IF NOT EXISTS from two transactions at
 * once (two projections sharing a schema) fails one of them.
 */
export async function ensureSchema(trx: Knex.Transaction, projection: AnyProjection): Promise<void> {
  if (projection.schema === undefined) return;
  await trx.raw(`SELECT pg_advisory_xact_lock(hashtext('chronicle projection schema'), hashtext(?))`, [projection.schema]);
  await trx.raw(`CREATE SCHEMA IF NOT EXISTS ${quoteTable(projection.schema)}`);
}

/** Points each base-name view at the given generation; queries only ever use the views. */
export async function pointViewsAt(trx: Knex.Transaction, projection: AnyProjection, tables: ProjectionTables): Promise<void> {
  for (const base of projection.tables) {
    const existing = await trx.raw<{ rows: { relkind: string }[] }>(`SELECT c.relkind FROM pg_class c WHERE c.relname = ? AND c.relnamespace = ${namespaceOf(projection)}`, [base]);
    const kind = existing.rows[0]?.relkind;
    if (kind !== undefined && kind !== 'v') throw new Error(`${base} exists and is not a view: the projection ${projection.name} cannot own it`);
    const view = quoteTable(qualified(projection, base));
    // DROP + CREATE rather than CREATE OR REPLACE: a new version may change the columns.
    await trx.raw(`DROP VIEW IF EXISTS ${view}`);
    await trx.raw(`CREATE VIEW ${view} AS SELECT * FROM ${quoteTable(tables[base]!)}`);
  }
}

/** Drops this projection's physical tables (partitioned ones with their partitions) except the generations still in use. */
export async function dropUnusedGenerations(knex: Knex, projection: AnyProjection, keep: readonly ProjectionTables[]): Promise<string[]> {
  const kept = new Set(keep.flatMap((tables) => Object.values(tables)));
  const dropped: string[] = [];
  for (const base of projection.tables) {
    const { rows } = await knex.raw<{ rows: { relname: string }[] }>(
      `SELECT relname FROM pg_class WHERE relkind IN ('r', 'p') AND relnamespace = ${namespaceOf(projection)} AND relname LIKE ?`,
      [`${base.replace(/_/g, '\\_')}\\_\\_v%\\_g%`],
    );
    for (const { relname } of rows) {
      const table = qualified(projection, relname);
      if (kept.has(table) || !new RegExp(`^${base}__v\\d+_g\\d+$`).test(relname)) continue;
      await knex.raw(`DROP TABLE IF EXISTS ${quoteTable(table)}`);
      dropped.push(table);
    }
  }
  return dropped;
}
