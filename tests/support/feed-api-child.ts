import { fileURLToPath } from 'node:url';
import { spawnTsxChild } from './tsx-child.js';

const SCRIPT = fileURLToPath(new URL('./feed-api-process.ts', import.meta.url));

export interface FeedApiProcess {
  readonly url: string;
  stop(): Promise<void>;
}

/** A second API process (`api` role with the feed) on the same database, as a child process; resolves once it listens. */
export function startFeedApiProcess(databaseUrl: string, env: Record<string, string> = {}): Promise<FeedApiProcess> {
  const { child, exited, stderr } = spawnTsxChild(SCRIPT, { FEED_CHILD_DATABASE_URL: databaseUrl, ...env }, ['ignore', 'pipe', 'pipe']);
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
    void exited.then(() => reject(new Error(`feed API process exited before listening: ${stderr()}`)));
  });
}
