import type { Knex } from 'knex';
import type { Logger } from '../../infra/logging/logger.js';
import type { BackgroundService } from '../../infra/process/background-service.js';
import { IdentitySweep } from './identity-sweep.js';

export interface HousekeepingSettings {
  /** AUTH_SWEEP_INTERVAL_MS */
  intervalMs: number;
  /** REFRESH_TOKEN_REUSE_DETECTION_SECONDS */
  reuseDetectionSeconds: number;
}

/**
 * The identity housekeeping sweep, every `intervalMs`, where the background
 * services run (worker, start). Several workers may run it: one sweeps at a
 * time, the others skip. A failed sweep is logged and the next one tries again.
 */
export function identityHousekeeping(knex: Knex, settings: HousekeepingSettings, logger: Logger): BackgroundService {
  const sweeper = new IdentitySweep(knex, { reuseDetectionSeconds: settings.reuseDetectionSeconds });
  const log = logger.child({ component: 'identity-housekeeping' });
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  const sweep = async () => {
    try {
      const result = await sweeper.sweep(new Date());
      if (!result.skipped) log.debug(result, 'identity housekeeping swept');
    } catch (error) {
      log.warn({ err: error }, 'identity housekeeping failed; the next sweep tries again');
    }
  };
  return {
    name: 'identity-housekeeping',
    async start() {
      timer = setInterval(() => {
        // One sweep at a time in this process, however long one takes.
        running = running.then(sweep);
      }, settings.intervalMs);
      timer.unref();
    },
    async stop() {
      clearInterval(timer);
      // A sweep under way finishes before knex is destroyed behind it.
      await running;
    },
  };
}
