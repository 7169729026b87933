import { rm } from 'node:fs/promises';
import type { EmbeddedPostgres } from '../../infra/postgres/embedded-postgres.js';

export default async function globalTeardown(): Promise<void> {
  const state = globalThis as { __chronicleTestPostgres?: EmbeddedPostgres; __chronicleTestDataDir?: string; __chronicleTestClusterTemplate?: string };
  await state.__chronicleTestPostgres?.stop();
  if (state.__chronicleTestDataDir) await rm(state.__chronicleTestDataDir, { recursive: true, force: true });
  if (state.__chronicleTestClusterTemplate) await rm(state.__chronicleTestClusterTemplate, { recursive: true, force: true });
}
