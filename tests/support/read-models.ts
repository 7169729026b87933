import { viewName } from '../../projections/index.js';
import { eventually } from './projection-harness.js';
import type { TestApp } from './test-app.js';

/**
 * A `start` or `worker` app builds its read models shortly after it starts;
 * waits until every projection's tables answer queries, so a test's first
 * list request does not meet a read model still being created.
 */
export async function readModelsBuilt(app: TestApp): Promise<void> {
  const tables = app.services.projections.flatMap((projection) => projection.tables.map((base) => viewName(projection, base)));
  await eventually('every read model is built', async () => {
    const { rows } = await app.services.knex.raw<{ rows: Array<{ found: string | null }> }>('SELECT to_regclass(name) AS found FROM unnest(?::text[]) AS name', [tables]);
    return rows.every((row) => row.found !== null);
  });
}
