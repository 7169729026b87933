import { fileURLToPath } from 'node:url';
import { spawnTsxChild } from './tsx-child.js';

const WORKER = fileURLToPath(new URL('./projection-worker.ts', import.meta.url));

/** The message a worker (worker-engine.ts) sends its parent once a SIGTERM would stop it cleanly. */
export const SIGTERM_HANDLED = 'sigterm-handled';

export interface ChildWorker {
  readonly pid: number;
  kill(signal: 'SIGKILL' | 'SIGTERM'): Promise<void>;
}

/** A real worker process (the engine through tsx), killed for real by the tests. */
export function spawnProjectionWorker(databaseUrl: string, env: Record<string, string> = {}): ChildWorker {
  return spawnWorkerScript(WORKER, databaseUrl, env);
}

/** Another worker script of tests/support (given as its file URL's path), run the same way. */
export function spawnWorkerScript(script: string, databaseUrl: string, env: Record<string, string> = {}): ChildWorker {
  const { child, exited, stderr } = spawnTsxChild(script, { WORKER_DATABASE_URL: databaseUrl, ...env }, ['ignore', 'ignore', 'pipe', 'ipc']);
  // A SIGTERM is meant for a worker that stops cleanly: held until it says it will.
  const handlesSigterm = new Promise<void>((resolve) => child.on('message', (message) => message === SIGTERM_HANDLED && resolve()));
  return {
    pid: child.pid ?? 0,
    async kill(signal) {
      if (signal === 'SIGTERM') await Promise.race([handlesSigterm, exited]);
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
      if (signal === 'SIGTERM' && child.exitCode !== 0) throw new Error(`worker exited with ${child.exitCode}: ${stderr()}`);
    },
  };
}
