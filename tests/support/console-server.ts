import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ChronicleProcess } from './chronicle-process.js';
import { GENEROUS_LIMITS_ENV } from './generous-limits.js';
import { freePort } from './free-port.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The console as `npm install` leaves it (prepare); built here when a checkout has not been installed since it changed. */
export function ensureConsoleBuilt(): void {
  if (existsSync(`${ROOT}console/dist/index.html`)) return;
  const build = spawnSync(process.execPath, [`${ROOT}scripts/build-console.mjs`], { cwd: ROOT, encoding: 'utf8' });
  if (build.status !== 0 || !existsSync(`${ROOT}console/dist/index.html`)) throw new Error(`the console build failed:\n${build.stdout}\n${build.stderr}`);
}

/** `chronicle start` on a test database: the API, the feed, the workers and /console in one process, as a person runs it. */
export class ConsoleServer {
  private constructor(
    readonly process: ChronicleProcess,
    readonly url: string,
    private readonly env: Record<string, string>,
  ) {}

  static async start(databaseUrl: string, env: Record<string, string> = {}, port?: number): Promise<ConsoleServer> {
    ensureConsoleBuilt();
    const listenOn = port ?? (await freePort());
    const fullEnv = { ...GENEROUS_LIMITS_ENV, DATABASE_URL: databaseUrl, HOST: '127.0.0.1', PORT: String(listenOn), LOG_LEVEL: 'warn', ...env };
    const child = new ChronicleProcess(['start'], fullEnv);
    const url = `http://127.0.0.1:${listenOn}`;
    await child.waitForOk(`${url}/readyz`, 60_000);
    return new ConsoleServer(child, url, fullEnv);
  }

  /** Stops the process (SIGTERM, drained) and waits for it. */
  async stop(): Promise<void> {
    this.process.kill('SIGTERM');
    await this.process.exit(30_000);
  }

  /** The same installation again, on the same address. */
  async restart(): Promise<ConsoleServer> {
    await this.stop();
    const port = Number(new URL(this.url).port);
    return ConsoleServer.start(this.env.DATABASE_URL!, this.env, port);
  }
}
