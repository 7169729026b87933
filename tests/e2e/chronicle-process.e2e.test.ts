import { afterAll, describe, expect, it } from '@jest/globals';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { PostgresEventStore } from '../../infra/event-store/postgres/postgres-event-store.js';
import { createLogger } from '../../infra/logging/logger.js';
import { startEmbeddedPostgres } from '../../infra/postgres/embedded-postgres.js';
import { usage } from '../../app/cli.js';
import { ChronicleProcess } from '../support/chronicle-process.js';
import { newEvents, uniqueStream } from '../support/events.js';
import { freePort } from '../support/free-port.js';

const started: ChronicleProcess[] = [];
const dataDirs: { dir: string; pgPort: number }[] = [];

function chronicle(args: string[], env: Record<string, string>): ChronicleProcess {
  const child = new ChronicleProcess(args, { LOG_LEVEL: 'info', HOST: '127.0.0.1', ...env });
  started.push(child);
  return child;
}

async function newDataDir(): Promise<{ dir: string; pgPort: number }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'chronicle-e2e-'));
  // As root the embedded PostgreSQL runs as the postgres user, who must reach its cluster folder.
  await chmod(dir, 0o755);
  const entry = { dir, pgPort: await freePort() };
  dataDirs.push(entry);
  return entry;
}

async function embeddedDatabaseUrl(dataDir: string, port: number): Promise<string> {
  const { user, password } = JSON.parse(await readFile(path.join(dataDir, 'pg-credentials.json'), 'utf8')) as { user: string; password: string };
  return `postgres://${user}:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`;
}

afterAll(async () => {
  for (const child of started) child.kill('SIGKILL');
  await Promise.all(started.map((child) => child.exited));
  for (const { dir, pgPort } of dataDirs) {
    // A test that failed half-way may leave its embedded PostgreSQL running: take it over and stop it.
    if (existsSync(path.join(dir, 'pg-owner.pid'))) {
      const server = await startEmbeddedPostgres({ dataDir: dir, port: pgPort, logger: createLogger('silent') }).catch(() => undefined);
      await server?.stop();
    }
    await rm(dir, { recursive: true, force: true });
  }
}, 60_000);

describe('chronicle start', () => {
  it('starts alone, survives SIGKILL without losing events, and stops cleanly on SIGTERM', async () => {
    const { dir, pgPort } = await newDataDir();
    const port = await freePort();
    const env = { DATA_DIR: dir, PORT: String(port), EMBEDDED_PG_PORT: String(pgPort) };
    const readyz = `http://127.0.0.1:${port}/readyz`;

    const first = chronicle(['start'], env);
    await first.waitForOk(readyz, 30_000);

    const store = await PostgresEventStore.connect({ connectionString: await embeddedDatabaseUrl(dir, pgPort), logger: createLogger('silent') });
    const stream = uniqueStream('e2e');
    const appended = newEvents(5);
    try {
      await store.appendToStream(stream, appended.slice(0, 3), { expectedRevision: 'no_stream' });
      await store.appendToStream(stream, appended.slice(3), { expectedRevision: 2n });
    } finally {
      await store.close();
    }

    first.kill('SIGKILL');
    expect((await first.exit()).signal).toBe('SIGKILL');

    const second = chronicle(['start'], env);
    await second.waitForOk(readyz, 30_000);

    const tail = chronicle(['events', 'tail'], env);
    expect(await tail.exit()).toEqual({ code: 0, signal: null });
    const lines = tail.stdout.trim().split('\n').map((line) => JSON.parse(line) as { id: string; stream: string; position: unknown; revision: unknown });
    const ours = lines.filter((line) => line.stream === stream);
    expect(ours.map((line) => line.id)).toEqual(appended.map((event) => event.id));
    expect(ours.map((line) => line.revision)).toEqual(['0', '1', '2', '3', '4']);
    expect(ours.every((line) => typeof line.position === 'string')).toBe(true);

    second.kill('SIGTERM');
    expect(await second.exit()).toEqual({ code: 0, signal: null });
    expect(second.stdout).toContain('embedded PostgreSQL stopped');
    expect(existsSync(path.join(dir, 'pg-owner.pid'))).toBe(false);
    const probe = new pg.Client({ connectionString: await embeddedDatabaseUrl(dir, pgPort), connectionTimeoutMillis: 2_000 });
    await expect(probe.connect()).rejects.toThrow();
  }, 60_000);
});

describe('chronicle configuration and usage errors', () => {
  it('exits 1 with one stderr line naming PORT when PORT is not a number', async () => {
    const child = chronicle(['start'], { PORT: 'abc' });
    expect((await child.exit()).code).toBe(1);
    const lines = child.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/PORT/);
    expect(child.stderr).not.toMatch(/\n\s+at /);
  });

  it('names a bad DATABASE_URL without printing the password', async () => {
    const child = chronicle(['start'], { DATABASE_URL: 'mysql://app:hunter2@db/app' });
    expect((await child.exit()).code).toBe(1);
    expect(child.stderr.trim().split('\n')).toEqual([expect.stringContaining('DATABASE_URL')]);
    expect(child.stderr).not.toContain('hunter2');
  });

  it('exits 1 with one line when PostgreSQL is unreachable', async () => {
    const deadPort = await freePort();
    const child = chronicle(['api'], { DATABASE_URL: `postgres://app:hunter2@127.0.0.1:${deadPort}/app` });
    expect((await child.exit()).code).toBe(1);
    expect(child.stderr.trim().split('\n')).toEqual([expect.stringMatching(/PostgreSQL .* unreachable/)]);
    expect(child.stderr).not.toContain('hunter2');
  });

  it('prints usage and exits 2 on an unknown command', async () => {
    const child = chronicle(['frobnicate'], {});
    expect((await child.exit()).code).toBe(2);
    expect(child.stderr).toContain('unknown command');
    expect(child.stderr).toContain(usage);
  });
});
