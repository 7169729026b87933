import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../bin/chronicle.js', import.meta.url));

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** `node bin/chronicle.js ...` as a child whose output is kept, not shown, so a failure can quote it. */
export class ChronicleProcess {
  readonly child: ChildProcess;
  readonly exited: Promise<Exit>;
  private out = '';
  private err = '';

  constructor(args: readonly string[], env: Record<string, string>) {
    this.child = spawn(process.execPath, [BIN, ...args], {
      // Nothing is inherited by accident: an EVENTSTORE_URL in the test's environment must not leak in.
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', DATABASE_URL: '', EVENTSTORE_URL: '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child.stdout?.on('data', (chunk: Buffer) => (this.out += chunk.toString('utf8')));
    this.child.stderr?.on('data', (chunk: Buffer) => (this.err += chunk.toString('utf8')));
    this.exited = new Promise((resolve) => this.child.once('exit', (code, signal) => resolve({ code, signal })));
  }

  get stdout(): string {
    return this.out;
  }

  get stderr(): string {
    return this.err;
  }

  /** The last lines of both streams, for an assertion message. */
  transcript(): string {
    const tail = (text: string) => text.split('\n').slice(-25).join('\n');
    return `--- stdout ---\n${tail(this.out)}\n--- stderr ---\n${tail(this.err)}`;
  }

  /** Waits for the exit, failing with the transcript if it takes longer than `timeoutMs`. */
  async exit(timeoutMs = 30_000): Promise<Exit> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`chronicle did not exit within ${timeoutMs} ms\n${this.transcript()}`)), timeoutMs);
    });
    try {
      return await Promise.race([this.exited, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Polls GET `path` until it answers 200, failing with the transcript on exit or time-out. */
  async waitForOk(url: string, timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let exited = false;
    void this.exited.then(() => (exited = true));
    while (Date.now() < deadline && !exited) {
      const ok = await fetch(url, { signal: AbortSignal.timeout(2_000) }).then(
        (response) => response.status === 200,
        () => false,
      );
      if (ok) return;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    throw new Error(`${url} did not answer 200 ${exited ? 'before the process exited' : `within ${timeoutMs} ms`}\n${this.transcript()}`);
  }

  kill(signal: NodeJS.Signals): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
  }
}
