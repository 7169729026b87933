import type { Logger } from '../infra/logging/logger.js';

interface Started {
  name: string;
  stop(): Promise<void>;
}

/**
 * What a process has started, in order, so that shutdown (or a failed start)
 * stops it in reverse: HTTP, then background services, then the event store,
 * knex and PostgreSQL.
 */
export class Runtime {
  private readonly started: Started[] = [];
  private stopping: Promise<void> | undefined;

  constructor(private readonly logger: Logger) {}

  /** Starts one component and remembers how to stop it. */
  async start<T>(name: string, start: () => Promise<T>, stop: (value: T) => Promise<void>): Promise<T> {
    if (this.stopping) throw new Error(`cannot start ${name}: shutting down`);
    const value = await start();
    this.started.push({ name, stop: () => stop(value) });
    return value;
  }

  /** Every component is stopped even when one fails; then rejects naming those that failed. */
  stop(): Promise<void> {
    this.stopping ??= this.stopAll();
    return this.stopping;
  }

  private async stopAll(): Promise<void> {
    const failures: string[] = [];
    for (const component of [...this.started].reverse()) {
      try {
        await component.stop();
        this.logger.debug({ component: component.name }, 'stopped');
      } catch (error) {
        failures.push(component.name);
        this.logger.error({ err: error, component: component.name }, 'failed to stop cleanly');
      }
    }
    this.started.length = 0;
    if (failures.length > 0) throw new Error(`failed to stop cleanly: ${failures.join(', ')}`);
  }
}
