import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const WORKER = fileURLToPath(new URL('./projection-worker.ts', import.meta.url));

/** The message a worker (worker-engine.ts) sends its parent once a SIGTERM would stop it cleanly. */
export const SIGTERM_HANDLED = 'sigterm-handled';

export interface ChildWorker {
  readonly pid: number;
  kill(signal: 'SIGKILL' | 'SIGTERM'): Promise<void>;
}

const running = new Set<ChildProcess>();

/** For afterAll: a test that failed or timed out before killing its workers must not leave them running (jest would never exit). */
export async function killRunningWorkers(): Promise<void> {
  await Promise.all(
    [...running].map((child) => {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      return exited;
    }),
  );
}

/** A real worker process (the engine through tsx), killed for real by the tests. */
export function spawnProjectionWorker(databaseUrl: string, env: Record<string, string> = {}): ChildWorker {
  return spawnWorkerScript(WORKER, databaseUrl, env);
}

/** Another worker script of tests/support (given as its file URL's path), run the same way. */
export function spawnWorkerScript(script: string, databaseUrl: string, env: Record<string, string> = {}): ChildWorker {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx/esm', script], {
    env: { ...process.env, WORKER_DATABASE_URL: databaseUrl, ...env },
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  running.add(child);
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString('utf8')).slice(-4_000)));
  const exited = new Promise<void>((resolve) =>
    child.once('exit', () => {
      running.delete(child);
      resolve();
    }),
  );
  // A SIGTERM is meant for a worker that stops cleanly: held until it says it will.
  const handlesSigterm = new Promise<void>((resolve) => child.on('message', (message) => message === SIGTERM_HANDLED && resolve()));
  return {
    pid: child.pid ?? 0,
    async kill(signal) {
      if (signal === 'SIGTERM') await Promise.race([handlesSigterm, exited]);
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
      if (signal === 'SIGTERM' && child.exitCode !== 0) throw new Error(`worker exited with ${child.exitCode}: ${stderr}`);
    },
  };
}
