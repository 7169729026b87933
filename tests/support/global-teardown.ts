import type { EmbeddedPostgres } from '../../infra/postgres/embedded-postgres.js';

export default async function globalTeardown(): Promise<void> {
  const server = (globalThis as { __chronicleTestPostgres?: EmbeddedPostgres }).__chronicleTestPostgres;
  await server?.stop();
}
