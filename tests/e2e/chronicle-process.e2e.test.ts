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
import { createTestDatabase } from '../support/database.js';
import { parseLogLines } from '../support/log-lines.js';

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
  it('starts alone on a non-default port, survives SIGKILL without losing events, lets a CLI join it, and stops cleanly on SIGTERM', async () => {
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
    // Not a terminal: JSON lines, and the start-up line says where the API and its docs are.
    const url = `http://127.0.0.1:${port}`;
    expect(parseLogLines(second.stdout).map((line) => line.record)).toEqual(
      expect.arrayContaining([expect.objectContaining({ msg: `chronicle ready: API on ${url}, docs on ${url}/docs`, url, docsUrl: `${url}/docs` })]),
    );

    // A CLI with the default EMBEDDED_PG_PORT joins the server on the port its pid file names.
    const tail = chronicle(['events', 'tail'], { DATA_DIR: dir });
    const tailExit = await tail.exit();
    expect({ exit: tailExit, transcript: tailExit.code === 0 ? '' : tail.transcript() }).toEqual({ exit: { code: 0, signal: null }, transcript: '' });
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

  it('exits 1 with one line naming DATABASE_URL when PostgreSQL is unreachable, and logs only JSON records', async () => {
    const deadPort = await freePort();
    const child = chronicle(['api'], { DATABASE_URL: `postgres://app:hunter2@127.0.0.1:${deadPort}/app` });
    expect((await child.exit()).code).toBe(1);
    expect(child.stderr.trim().split('\n')).toEqual([expect.stringMatching(/PostgreSQL at .* \(DATABASE_URL\) is unreachable/)]);
    expect(child.stderr).not.toContain('hunter2');
    // knex's own complaints (`Acquire connection error`, with stack frames) come through pino too.
    const records = parseLogLines(child.stdout);
    expect(records.map((line) => line.record.msg)).toEqual(expect.arrayContaining([expect.stringMatching(/connection error/i)]));
    expect(records.filter((line) => line.duplicateKeys.length > 0 || /\n\s+at /.test(String(line.record.msg)))).toEqual([]);
    expect(child.stdout).not.toContain('hunter2');
  });

  it('refuses a TRUST_PROXY express would refuse before it starts anything, naming it', async () => {
    const deadPort = await freePort();
    const child = chronicle(['start'], { TRUST_PROXY: 'proxy.internal', DATABASE_URL: `postgres://app:hunter2@127.0.0.1:${deadPort}/app` });
    expect((await child.exit()).code).toBe(1);
    expect(child.stderr.trim().split('\n')).toEqual([expect.stringMatching(/TRUST_PROXY must be/)]);
    expect(child.stdout).not.toMatch(/PostgreSQL|connection/i);
  });

  it('serves 503 while KurrentDB at EVENTSTORE_URL is unreachable, says so naming the variable, and never claims it connected', async () => {
    const database = await createTestDatabase();
    try {
      const port = await freePort();
      const eventStorePort = await freePort();
      const child = chronicle(['api'], {
        PORT: String(port),
        DATABASE_URL: database.url,
        EVENTSTORE_URL: `kurrentdb://admin:hunter2@127.0.0.1:${eventStorePort}?tls=false&defaultDeadline=1000`,
        EVENTSTORE_CONNECT_TIMEOUT_MS: '500',
      });
      await child.waitForOk(`http://127.0.0.1:${port}/healthz`);
      expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(503);
      child.kill('SIGTERM');
      expect((await child.exit()).code).toBe(0);
      const messages = parseLogLines(child.stdout).map((line) => String(line.record.msg));
      expect(messages).toEqual(expect.arrayContaining([expect.stringMatching(new RegExp(`127\\.0\\.0\\.1:${eventStorePort}.*\\(EVENTSTORE_URL\\) unreachable`))]));
      expect(messages).not.toContain('event store connected');
      expect(child.stdout).not.toContain('hunter2');
    } finally {
      await database.drop();
    }
  });

  it('prints usage and exits 2 on an unknown command', async () => {
    const child = chronicle(['frobnicate'], {});
    expect((await child.exit()).code).toBe(2);
    expect(child.stderr).toContain('unknown command');
    expect(child.stderr).toContain(usage);
  });
});
