import type { Logger } from '../infra/logging/logger.js';

/**
 * Work done after the answer has gone (looking up an account for a reset,
 * sending mail), so an answer's timing says nothing about whether an
 * account exists, and a slow mail server never slows a request. A failure
 * is logged, never thrown; `drain` waits for what is under way, so a
 * shutdown does not cut a send off halfway.
 */
export class DeferredWork {
  private readonly running = new Set<Promise<void>>();

  constructor(private readonly logger: Logger) {}

  run(name: string, work: () => Promise<void>): void {
    const done: Promise<void> = work()
      .catch((error: unknown) => {
        // The message and code only: a mail transport's error object may carry its connection settings.
        const reason = error instanceof Error ? error.message : String(error);
        this.logger.error({ task: name, reason, code: codeOf(error) }, `${name} failed`);
      })
      .finally(() => this.running.delete(done));
    this.running.add(done);
  }

  async drain(): Promise<void> {
    while (this.running.size > 0) await Promise.all([...this.running]);
  }
}

function codeOf(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string' ? error.code : undefined;
}
