import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ChronicleProcess } from '../support/chronicle-process.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { freePort } from '../support/free-port.js';

let database: TestDatabase;
const started: ChronicleProcess[] = [];

beforeAll(async () => {
  database = await createTestDatabase();
});

afterAll(async () => {
  for (const child of started) child.kill('SIGKILL');
  await Promise.all(started.map((child) => child.exited));
  await database?.drop();
});

function chronicle(args: string[], env: Record<string, string> = {}): ChronicleProcess {
  const child = new ChronicleProcess(args, { DATABASE_URL: database.url, HOST: '127.0.0.1', LOG_LEVEL: 'info', ...env });
  started.push(child);
  return child;
}

describe('separate processes on a shared PostgreSQL', () => {
  it('migrate reports that nothing is pending on a migrated database', async () => {
    const child = chronicle(['migrate']);
    expect(await child.exit()).toEqual({ code: 0, signal: null });
    expect(child.stdout).toMatch(/up to date/);
  });

  it('api and worker run side by side, are ready, and stop with exit code 0', async () => {
    const [apiPort, workerPort] = [await freePort(), await freePort()];
    const api = chronicle(['api'], { PORT: String(apiPort) });
    const worker = chronicle(['worker'], { PORT: String(workerPort) });
    await Promise.all([api.waitForOk(`http://127.0.0.1:${apiPort}/readyz`), worker.waitForOk(`http://127.0.0.1:${workerPort}/readyz`)]);

    // The worker serves probes and metrics, not the API.
    expect((await fetch(`http://127.0.0.1:${workerPort}/metrics`)).status).toBe(200);
    expect((await fetch(`http://127.0.0.1:${workerPort}/openapi.json`)).status).toBe(404);
    expect((await fetch(`http://127.0.0.1:${apiPort}/openapi.json`)).status).toBe(200);

    api.kill('SIGTERM');
    worker.kill('SIGTERM');
    expect(await api.exit()).toEqual({ code: 0, signal: null });
    expect(await worker.exit()).toEqual({ code: 0, signal: null });
  }, 60_000);

  it('a busy port ends start-up with one clear line and exit code 1', async () => {
    const port = await freePort();
    const holder = chronicle(['api'], { PORT: String(port) });
    await holder.waitForOk(`http://127.0.0.1:${port}/healthz`);
    const second = chronicle(['api'], { PORT: String(port) });
    expect((await second.exit()).code).toBe(1);
    expect(second.stderr.trim().split('\n')).toEqual([expect.stringMatching(/port \d+ .*already in use/)]);
    holder.kill('SIGTERM');
    expect((await holder.exit()).code).toBe(0);
  }, 60_000);
});
