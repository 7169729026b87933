import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';

export interface TsxChild {
  readonly child: ChildProcess;
  /** Resolves when it has exited, however. */
  readonly exited: Promise<void>;
  /** The last 4,000 characters it wrote to stderr (when stderr is piped), for a failure's message. */
  stderr(): string;
}

const running = new Set<ChildProcess>();

/** A TypeScript script of the tests as a real child process (through tsx), remembered until it exits. */
export function spawnTsxChild(script: string, env: Record<string, string>, stdio: StdioOptions): TsxChild {
  const child = spawn(process.execPath, ['--import', 'tsx/esm', script], { env: { ...process.env, ...env }, stdio });
  running.add(child);
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString('utf8')).slice(-4_000)));
  const exited = new Promise<void>((resolve) =>
    child.once('exit', () => {
      running.delete(child);
      resolve();
    }),
  );
  return { child, exited, stderr: () => stderr };
}

/** For afterAll: a test that failed or timed out before stopping its children must not leave them running (jest would never exit). */
export async function killTsxChildren(): Promise<void> {
  await Promise.all(
    [...running].map((child) => {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      return exited;
    }),
  );
}
