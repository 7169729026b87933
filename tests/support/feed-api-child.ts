import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const SCRIPT = fileURLToPath(new URL('./feed-api-process.ts', import.meta.url));

export interface FeedApiProcess {
  readonly url: string;
  stop(): Promise<void>;
}

const running = new Set<ChildProcess>();

/** For afterAll: no child outlives its test file. */
export async function killFeedApiProcesses(): Promise<void> {
  await Promise.all(
    [...running].map((child) => {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      return exited;
    }),
  );
}

/** A second API process (`api` role with the feed) on the same database, as a child process; resolves once it listens. */
export function startFeedApiProcess(databaseUrl: string, env: Record<string, string> = {}): Promise<FeedApiProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx/esm', SCRIPT], {
    env: { ...process.env, FEED_CHILD_DATABASE_URL: databaseUrl, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
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
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
      const line = out.split('\n').find((text) => text.startsWith('{"url"'));
      if (!line) return;
      resolve({
        url: (JSON.parse(line) as { url: string }).url,
        async stop() {
          if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
          await exited;
        },
      });
    });
    void exited.then(() => reject(new Error(`feed API process exited before listening: ${stderr}`)));
  });
}
