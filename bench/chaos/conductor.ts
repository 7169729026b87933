import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ChildMessage, ConductorMessage } from './messages.js';

export type Role = 'writer' | 'subscriber' | 'projection';

const SCRIPTS: Record<Role, string> = {
  writer: fileURLToPath(new URL('./writer.ts', import.meta.url)),
  subscriber: fileURLToPath(new URL('./subscriber.ts', import.meta.url)),
  projection: fileURLToPath(new URL('../../tests/support/projection-worker.ts', import.meta.url)),
};

/** A child process of the chaos run; an exit it was not asked for is recorded, never ignored. */
export class ChaosChild {
  unexpectedExit: string | undefined;
  private stopping = false;
  private stderr = '';
  private readonly exited: Promise<void>;
  private readonly process: ChildProcess;
  /** Everything it wrote on stderr, for reading after a failed run. */
  readonly logFile: string;
  private readonly log: WriteStream;

  constructor(
    readonly name: string,
    readonly role: Role,
    databaseUrl: string,
    onMessage: (child: ChaosChild, message: ChildMessage) => void,
  ) {
    this.logFile = path.join(tmpdir(), `chronicle-chaos-${name}.log`);
    this.log = createWriteStream(this.logFile);
    this.process = spawn(process.execPath, ['--import', 'tsx/esm', SCRIPTS[role]], {
      env: { ...process.env, CHAOS_DATABASE_URL: databaseUrl, WORKER_DATABASE_URL: databaseUrl, WORKER_LOG_LEVEL: 'warn', CHAOS_NAME: name },
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    this.process.stderr?.on('data', (chunk: Buffer) => {
      this.stderr = (this.stderr + chunk.toString('utf8')).slice(-8_000);
      this.log.write(chunk);
    });
    this.process.on('message', (message: ChildMessage) => onMessage(this, message));
    this.exited = new Promise((resolve) =>
      this.process.once('exit', (code, signal) => {
        if (!this.stopping) this.unexpectedExit = `exit code ${code ?? '-'} signal ${signal ?? '-'}: ${this.stderr.trim().split('\n').slice(-5).join(' | ')}`;
        resolve();
      }),
    );
  }

  tell(message: ConductorMessage): void {
    if (this.process.connected) this.process.send(message);
  }

  /** Asks it to finish (writers settle their last append first) and waits, then kills what is left. */
  async stop(timeoutMs: number): Promise<void> {
    this.stopping = true;
    if (this.role === 'projection') this.process.kill('SIGTERM');
    else this.tell({ kind: 'stop' });
    const timer = setTimeout(() => this.process.kill('SIGKILL'), timeoutMs);
    await this.exited;
    clearTimeout(timer);
  }
}
