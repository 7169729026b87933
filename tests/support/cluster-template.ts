import { execFile } from 'node:child_process';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { createLogger } from '../../infra/logging/logger.js';
import { startEmbeddedPostgres } from '../../infra/postgres/embedded-postgres.js';
import { freePort } from './free-port.js';

const run = promisify(execFile);

/** Set by the global setup: a stopped, freshly initialised cluster (and its credentials) to copy. */
const TEMPLATE_VARIABLE = 'CHRONICLE_TEST_CLUSTER_TEMPLATE';

/**
 * Initialises one cluster for the run (initdb costs seconds, a copy a fraction
 * of one) and leaves it stopped; tests that start a PostgreSQL of their own
 * (OwnPostgres) start from a copy of it.
 */
export async function createClusterTemplate(): Promise<string> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'chronicle-test-cluster-'));
  await chmod(dataDir, 0o755);
  const server = await startEmbeddedPostgres({ dataDir, port: await freePort(), logger: createLogger('silent') });
  await server.stop('fast');
  // Each copy starts its own log.
  await rm(path.join(dataDir, 'pg', 'server.log'), { force: true });
  process.env[TEMPLATE_VARIABLE] = dataDir;
  return dataDir;
}

/**
 * Fills `dataDir` (empty) with a copy of the run's template cluster, owner and
 * modes kept (`cp -a`: PostgreSQL refuses a cluster folder it does not own);
 * false when there is none (outside jest's global setup), and startEmbeddedPostgres then runs initdb.
 */
export async function copyClusterTemplate(dataDir: string): Promise<boolean> {
  const template = clusterTemplateDir();
  if (!template) return false;
  await run('cp', ['-a', `${template}/.`, dataDir]);
  return true;
}

/** The run's template cluster's folder (its cluster in `pg/`), if the global setup made one. */
export function clusterTemplateDir(): string | undefined {
  return process.env[TEMPLATE_VARIABLE] || undefined;
}
