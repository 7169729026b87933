import { fork, type ChildProcess } from 'node:child_process';

/** What a child process answers: each method's argument and result, structured-clonable (typed arrays pass as they are). */
export type RpcApi<A> = { [K in keyof A]: { arg: unknown; result: unknown } };

interface Request {
  requestId: number;
  method: string;
  arg: unknown;
}

type Reply = { requestId: number; result: unknown } | { requestId: number; failure: string };

/** The child ended or failed a call; its stderr's tail says why. */
export class ChildProcessFailedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ChildProcessFailedError';
  }
}

/**
 * A bench process of our own (a TypeScript file run through tsx) that the
 * parent drives by calls over IPC. Calls are answered in any order; the
 * child's death fails every pending call with its stderr's tail.
 */
export class ChildProcessHandle<A extends RpcApi<A>> {
  private readonly child: ChildProcess;
  private readonly pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  private nextRequestId = 0;
  private stderr = '';
  readonly exited: Promise<void>;

  constructor(script: string, options: { env?: NodeJS.ProcessEnv; execArgv?: readonly string[] } = {}) {
    this.child = fork(script, [], {
      execArgv: ['--import', 'tsx/esm', ...(options.execArgv ?? [])],
      env: options.env ?? process.env,
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      serialization: 'advanced',
    });
    this.child.stderr?.on('data', (chunk: Buffer) => (this.stderr = (this.stderr + chunk.toString('utf8')).slice(-4_000)));
    this.child.on('message', (received) => {
      const message = received as Reply;
      const waiting = this.pending.get(message.requestId);
      if (!waiting) return;
      this.pending.delete(message.requestId);
      if ('failure' in message) waiting.reject(new ChildProcessFailedError(`${script}: ${message.failure}`));
      else waiting.resolve(message.result);
    });
    this.exited = new Promise((resolve) =>
      this.child.once('exit', (code, signal) => {
        const error = new ChildProcessFailedError(`${script} exited (${code ?? signal}) during a call: ${this.stderr}`);
        for (const waiting of this.pending.values()) waiting.reject(error);
        this.pending.clear();
        resolve();
      }),
    );
  }

  get pid(): number {
    return this.child.pid ?? 0;
  }

  call<K extends keyof A & string>(method: K, arg: A[K]['arg']): Promise<A[K]['result']> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) {
      return Promise.reject(new ChildProcessFailedError(`the child has exited: ${this.stderr}`));
    }
    const requestId = this.nextRequestId++;
    return new Promise((resolve, reject) => {
      this.pending.set(requestId, { resolve: resolve as (value: unknown) => void, reject });
      const request: Request = { requestId, method, arg };
      this.child.send(request);
    });
  }

  /** Asks nothing: ends the child (SIGTERM, then SIGKILL after `graceMs`) and waits for its exit. */
  async kill(graceMs = 10_000): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }
}

/** In the child: answers the parent's calls with `handlers`; exits when the parent goes away. */
export function serveParent<A extends RpcApi<A>>(handlers: { [K in keyof A]: (arg: A[K]['arg']) => A[K]['result'] | Promise<A[K]['result']> }): void {
  if (!process.send) throw new Error('serveParent: this script runs as a child of the bench (forked with IPC)');
  const reply = (message: Reply): void => {
    process.send?.(message);
  };
  process.on('message', (received) => {
    const request = received as Request;
    const handler = handlers[request.method as keyof A] as unknown as ((arg: unknown) => unknown) | undefined;
    if (!handler) return reply({ requestId: request.requestId, failure: `no method ${request.method}` });
    Promise.resolve()
      .then(() => handler(request.arg))
      .then(
        (result) => reply({ requestId: request.requestId, result }),
        (error: unknown) => reply({ requestId: request.requestId, failure: error instanceof Error ? (error.stack ?? error.message) : String(error) }),
      );
  });
  process.on('disconnect', () => process.exit(0));
}
